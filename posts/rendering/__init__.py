"""Markdown to safe HTML: the parser, the sanitiser, embeds, pictures' markup.

Knows no database, request, view or admin: whoever renders passes in what it needs (the
pictures a body names, or a function that looks them up). May use Django's settings and
utilities only.
"""
