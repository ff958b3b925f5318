"""Reading, checking and writing Open Referral UK 3.0 data packages, with no Django."""
