"""Statistics without tracking: page views, unique visitors and feed readers, first-party.

Counting happens in the shared cache (`counters`), never in the database during a request;
the task worker moves the counts into daily rows (`flush`). May import Django, `posts`'
public modules (models, links, delivery) and the tasks API; `posts` never imports it.
"""
