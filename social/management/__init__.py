"""manage.py commands of the social web: follow an account, answer a post elsewhere."""
