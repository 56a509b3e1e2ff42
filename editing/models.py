"""The editor side keeps no models of its own: the change record is publishing.models."""
