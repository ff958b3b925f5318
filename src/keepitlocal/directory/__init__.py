"""A directory of the local system: organisations, their services and locations (Open Referral UK 3.0), and the
community assets they hold (an extension of it, documented in docs/DIRECTORY.md)."""
