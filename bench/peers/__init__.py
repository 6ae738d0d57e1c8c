"""The peers Townsquare is measured beside, as a chat builder would run them."""
