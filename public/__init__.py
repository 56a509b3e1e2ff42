"""The public read side: front page, route map and outcome pages, timeline, organisation pages
and calendars, source pages, search, the JSON API, feeds and exports. Reads published content
through the domain apps' querysets; nothing below it imports it."""
