"""E-mail subscribers: sign-up with confirmation, unsubscribe in one click, and each published
entry mailed to them exactly once on the task worker.

May import Django, the tasks API and `posts`' models and public modules (rendering, links,
delivery); never `posts`' views, admin or editorial parts. `posts` knows nothing of it; the
statistics app reads it only through `subscribers.reports`.
"""
