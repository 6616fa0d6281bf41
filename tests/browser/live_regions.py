"""Records what a page's live regions say over time, as a screen reader would be told it.

Each time the content of a live region changes (a batch of DOM mutations), its whole text is
recorded once, with the time. Install before the page loads; read with `announcements`.
"""

from __future__ import annotations

from playwright.sync_api import Page

_RECORDER = """
(() => {
  window.__announcements = [];
  const LIVE = '[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"], [role="log"]';
  const start = () => {
    new MutationObserver((mutations) => {
      const touched = new Set();
      for (const mutation of mutations) {
        const node = mutation.target.nodeType === 1 ? mutation.target : mutation.target.parentElement;
        const region = node && node.closest(LIVE);
        if (region) touched.add(region);
      }
      for (const region of touched) {
        window.__announcements.push({
          region: region.id || region.className,
          text: region.textContent.replace(/\\s+/g, ' ').trim(),
          at: performance.now(),
        });
      }
    }).observe(document.body, {childList: true, subtree: true, characterData: true});
  };
  if (document.body) { start(); } else { document.addEventListener('DOMContentLoaded', start); }
})();
"""


def record_live_regions(page: Page) -> None:
    """From the next page load on, keep what every live region says."""
    page.add_init_script(_RECORDER)


def forget_announcements(page: Page) -> None:
    page.evaluate("window.__announcements = []")


def announcements(page: Page, containing: str = "") -> list[str]:
    """The texts recorded since the page loaded or was last forgotten, optionally only those
    containing some words."""
    recorded = page.evaluate("window.__announcements.map(entry => entry.text)")
    return [text for text in recorded if containing.lower() in text.lower()]
