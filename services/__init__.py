"""Domain operations with no HTTP in them."""
