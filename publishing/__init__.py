"""Publishing a route map's edition and what the route-map and source-document drafts share."""
