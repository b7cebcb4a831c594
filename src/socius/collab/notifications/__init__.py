"""Notifications: who gets told what, in the app and by email.

Writes live in ``collab.services.notifications``; this package holds the reads, the email
preferences and their defaults, the signed unsubscribe links and the email delivery.
"""
