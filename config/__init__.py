"""The project's configuration: settings per environment, root URLs, WSGI, middleware and
context processors. It may import anything; nothing imports it."""
