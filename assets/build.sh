#!/usr/bin/env bash
# Build the portal's front-end files:
#   static/css/portal.css          GOV.UK Frontend subset + app styles (Dart Sass, compressed)
#   static/js/htmx-<version>.min.js  vendored htmx build
#   static/js/htmx-LICENSE.txt       htmx's licence
# Usage: bash assets/build.sh   (from anywhere; needs Node and npm)
set -euo pipefail

ASSETS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(dirname "$ASSETS_DIR")"
CSS_DIR="$ROOT_DIR/static/css"
JS_DIR="$ROOT_DIR/static/js"

cd "$ASSETS_DIR"
npm ci --no-audit --no-fund

mkdir -p "$CSS_DIR" "$JS_DIR"

npx --no-install sass \
  --pkg-importer=node \
  --style=compressed \
  --no-source-map \
  portal.scss "$CSS_DIR/portal.css"

HTMX_DIR="$ASSETS_DIR/node_modules/htmx.org"
HTMX_VERSION="$(node -p 'require("./node_modules/htmx.org/package.json").version')"
cp "$HTMX_DIR/dist/htmx.min.js" "$JS_DIR/htmx-$HTMX_VERSION.min.js"
cp "$HTMX_DIR/LICENSE" "$JS_DIR/htmx-LICENSE.txt"

echo "Built $CSS_DIR/portal.css and $JS_DIR/htmx-$HTMX_VERSION.min.js"
