"""Web pages. Thin: parse the request, call one service, render."""
