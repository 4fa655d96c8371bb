"""Sending the outbox: the worker (`flask notifications work`) and its commands.

Rows are written by `portal.outbox.queue_email` in the transaction that causes them; this package
is the only code that talks to the email provider or writes the development file backend.
"""
