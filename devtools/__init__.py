"""Tools for developers and tests: the Bot Connector emulator, Teams-shaped activities, the terminal chat."""
