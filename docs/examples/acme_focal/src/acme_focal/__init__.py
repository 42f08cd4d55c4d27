"""acme-focal: FocalLoss for corelib, found through the corelib.plugins entry point."""
