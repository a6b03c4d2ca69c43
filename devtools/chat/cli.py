"""`python -m devtools.chat`: the command line, stdin and stdout, the emulated connector's port."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading

from bot.config import parse_channel_id
from devtools.activities import DEFAULT_TENANT
from devtools.chat.console import Console
from devtools.chat.launch import DEFAULT_ICT_CHANNEL, run_chat
from devtools.chat.personas import LOCALES, PERSONAS
from devtools.chat.session import DEFAULT_BOT_URL, ChatOptions, ReadLine
from devtools.emulator import ConnectorEmulator
from devtools.render import ANSI, PLAIN

# A fixed port, as Teams' service URL is stable: the bot stores it with each conversation and ticket,
# so what it sends later (an ICT answer, a reminder) reaches the next chat too.
DEFAULT_CONNECTOR_PORT = 3979


def _stdin_reader() -> ReadLine:
    """Lines of stdin, read by a daemon thread (a blocked read must not keep the process alive)."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def put(line: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: the chat is over
            loop.call_soon_threadsafe(lines.put_nowait, line)

    def pump() -> None:
        for line in sys.stdin:
            put(line.rstrip("\r\n"))
        put(None)

    async def read() -> str | None:
        line = await lines.get()
        if line is None:
            lines.put_nowait(None)  # the end of input stays the end for every later read
        return line

    threading.Thread(target=pump, name="chat-stdin", daemon=True).start()
    return read


async def _start_connector(port: int, console: Console) -> ConnectorEmulator:
    emulator = ConnectorEmulator(port=port)
    try:
        await emulator.start()
    except OSError as error:  # taken, e.g. by another chat: any free port still works for this chat
        await emulator.close()
        emulator = ConnectorEmulator()
        await emulator.start()
        console.note(
            f"Port {port} is not free ({error.strerror}), so the connector is emulated on port {emulator.port}: "
            "messages Kotae sends later to earlier chats will not reach this one."
        )
    return emulator


async def _main(options: ChatOptions, connector_port: int, console: Console) -> int:
    emulator = await _start_connector(connector_port, console)
    try:
        return await run_chat(options, emulator=emulator, read=_stdin_reader(), console=console)
    finally:
        await emulator.close()


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _channel(value: str) -> str:
    try:
        return parse_channel_id(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port: expected 0 (any free port) to 65535")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.chat",
        description="Chat with the Kotae bot running locally (`make run`), as Teams would.",
    )
    parser.add_argument("--bot", default=DEFAULT_BOT_URL, help="the bot's URL (default %(default)s)")
    parser.add_argument("--as", dest="persona", choices=sorted(PERSONAS), default="staff", help="who you are")
    parser.add_argument("--lang", choices=sorted(LOCALES), default="ja", help="your Teams client's language")
    parser.add_argument(
        "--ict-channel",
        type=_channel,
        help=f"the ICT channel's id (default: the bot's KOTAE_ICT_CHANNEL_ID, else {DEFAULT_ICT_CHANNEL})",
    )
    parser.add_argument("--tenant", default=DEFAULT_TENANT, help="your tenant id (default %(default)s)")
    parser.add_argument(
        "--connector-port",
        type=_port,
        default=DEFAULT_CONNECTOR_PORT,
        help="the local port of the emulated Teams connector (default %(default)s; 0: any free port)",
    )
    arguments = parser.parse_args(argv)
    options = ChatOptions(
        arguments.bot, arguments.persona, arguments.lang, arguments.ict_channel, arguments.tenant
    )
    sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]
    console = Console(_write, style=ANSI if sys.stdout.isatty() else PLAIN, interactive=sys.stdin.isatty())
    try:
        return asyncio.run(_main(options, arguments.connector_port, console))
    except KeyboardInterrupt:
        _write("\n")
        return 130
