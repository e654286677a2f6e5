"""Requests this site makes to other sites, guarded: any app that fetches or posts uses it."""
