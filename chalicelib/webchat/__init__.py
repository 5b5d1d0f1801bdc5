"""Website chat: the widget a company embeds on its site, talking to Sapa over one WebSocket."""
