"""Webmention (W3C Recommendation), both ways: receive.py checks what others send, send.py tells
others when an entry links to them. Every request goes through outbound.fetch."""
