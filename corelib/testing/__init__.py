from corelib.testing.plugins import check_plugin
