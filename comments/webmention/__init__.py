"""Webmention (W3C Recommendation), both ways: receive.py checks what others send, send.py tells
others when an entry links to them, and tasks.py runs both on the worker. Every request goes
through outbound.fetch."""
