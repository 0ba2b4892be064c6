"""One module per ``capdesk`` subcommand; see ``capdesk.cli``."""
