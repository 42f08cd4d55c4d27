from corelib import hookimpl


@hookimpl
def corelib_register_losses():
    return {"focal": "acme_focal.focal:FocalLoss"}
