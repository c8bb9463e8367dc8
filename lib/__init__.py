"""Campaign Board library: store → metrics/forecast → figures/maps → pages."""
