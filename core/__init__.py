"""Shared plumbing with no knowledge of the plan: text cleaning, word differences, form helpers,
the one clock, the reader's address, rate limits, email plumbing, htmx helpers, the page cache
and the template tags every page uses. It imports no project package."""
