"""The seam to Teams: the one package that imports botbuilder (docs/architecture.md).

It turns HTTP requests into activities, runs each turn through the router (`bot.handler`) behind
Kotae's own turn interface (`bot.turn`), and sends to the Bot Connector, in turns and outside them.
"""
