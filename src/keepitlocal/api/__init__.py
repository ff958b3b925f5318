"""The platform's API: what is public on the site, and with a token what its owner's roles let them see."""
