"""What the app says about itself in the Teams store and command menu, in Japanese and English.

The command lists live here and only here: the manifest, its localisation file and the test that
checks every title against the bot's command parser all read `COMMAND_LISTS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.languages import Lang

__all__ = [
    "APP_TEXTS",
    "COMMAND_LISTS",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "OTHER_LANGUAGES",
    "AppText",
    "BotCommand",
    "CommandList",
    "CommandText",
]


# Japanese is the manifest's own language: the staff, the admins who approve the app in Teams admin
# center and the catalogue all work in Japanese, and a client in any language without a file of its
# own (Chinese, Korean, Portuguese…) falls back to it. English is the additional file; Teams applies
# "en" to en-us, en-gb and the other English variants.
DEFAULT_LANGUAGE: Lang = "ja"
OTHER_LANGUAGES: tuple[Lang, ...] = ("en",)
LANGUAGES: tuple[Lang, ...] = (DEFAULT_LANGUAGE, *OTHER_LANGUAGES)


@dataclass(frozen=True, slots=True)
class AppText:
    """The app's names and descriptions in one language; `{name}` is the short name from settings."""

    full_name: str
    short_description: str
    full_description: str


@dataclass(frozen=True, slots=True)
class CommandText:
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class BotCommand:
    """One entry of a command menu: the bot's command name and what the menu shows per language.

    `sample_argument` is what a user would type after the title when the command needs more than the
    title alone (the command test appends it before asking the bot's parser).
    """

    name: str
    text: dict[Lang, CommandText]
    sample_argument: dict[Lang, str] | None = None


@dataclass(frozen=True, slots=True)
class CommandList:
    scopes: tuple[str, ...]
    commands: tuple[BotCommand, ...]


APP_TEXTS: dict[Lang, AppText] = {
    "ja": AppText(
        full_name="{name} 答え — ICTヘルプデスク",
        short_description="パソコン・スマホ・ネットワークの困りごとにFAQで即答し、解決しなければICT担当へつなぎます。",
        full_description=(
            "{name}（答え）は職員のためのICTヘルプデスクです。「Wi-Fiにつながらない」「PDFを結合したい」など、"
            "困っていることをそのまま入力すると、よくある質問（FAQ）から答えを探してすぐに返します。"
            "答えが見つからないときや解決しないときは、ワンクリックでICT担当チャネルに問い合わせ（チケット）を送り、"
            "担当者の回答がこのチャットに届きます。"
            "個人チャットやグループチャットで、またはチャネルで @{name} とメンションして質問できます。"
            "ICT担当はチームのチャネルで問い合わせを担当・回答・解決できます。"
        ),
    ),
    "en": AppText(
        full_name="{name} 答え — ICT Help Desk",
        short_description="Instant answers to IT questions from the FAQ; anything else goes to ICT staff.",
        full_description=(
            '{name} (答え, "answer") is the ICT help desk for staff. Type what is wrong in your own words, '
            'such as "the Wi-Fi does not connect" or "I want to merge PDFs", and {name} answers from the '
            "FAQ straight away. When there is no answer, or it does not solve the problem, one click sends "
            "the question to the ICT staff's channel as a ticket, and their answer comes back to this chat. "
            "Ask in a personal chat, in a group chat, or by @mentioning {name} in a channel. "
            "ICT staff claim, answer and resolve tickets in their team's channel."
        ),
    ),
}

_HELP = BotCommand(
    "help",
    {
        "ja": CommandText("ヘルプ", "使い方と、できることの一覧を表示します。"),
        "en": CommandText("help", "Show what you can ask and how."),
    },
)

COMMAND_LISTS: tuple[CommandList, ...] = (
    # Staff who ask: in a personal chat with the bot, or in a group chat they added it to.
    CommandList(
        scopes=("personal", "groupChat"),
        commands=(
            _HELP,
            BotCommand(
                "my_questions",
                {
                    "ja": CommandText(
                        "自分の質問", "ICT担当に送った自分の問い合わせと、その状況を表示します。"
                    ),
                    "en": CommandText(
                        "my questions", "List the questions you sent to ICT staff and their status."
                    ),
                },
            ),
            BotCommand(
                "cancel",
                {
                    "ja": CommandText(
                        "キャンセル",
                        "今の質問のやり取りをやめます。"
                        "「キャンセル 12」で自分の問い合わせ12番を取り下げます。",
                    ),
                    "en": CommandText(
                        "cancel",
                        'Leave the current question. "cancel 12" withdraws your open ticket 12.',
                    ),
                },
            ),
            BotCommand(
                "language",
                {
                    "ja": CommandText(
                        "言語", "返答の言語を切り替えます: 言語 英語|日本語（例:「言語 英語」）。"
                    ),
                    "en": CommandText(
                        "language", 'Switch the language of replies: language en|ja (e.g. "language ja").'
                    ),
                },
                sample_argument={"ja": "英語", "en": "en"},
            ),
        ),
    ),
    # ICT staff, in the team whose channel receives the tickets.
    CommandList(
        scopes=("team",),
        commands=(
            _HELP,
            BotCommand(
                "tickets",
                {
                    "ja": CommandText(
                        "チケット",
                        "未対応と対応中のチケットを古い順に表示します。"
                        "番号を付けると、そのチケットを表示します（例:「チケット 12」）。",
                    ),
                    "en": CommandText(
                        "tickets",
                        'List open and claimed tickets, oldest first; "ticket 12" shows one ticket.',
                    ),
                },
            ),
            BotCommand(
                "insights",
                {
                    "ja": CommandText("レポート", "先週の利用状況と、FAQにない質問の上位5件を表示します。"),
                    "en": CommandText("insights", "Last week's figures and the top five knowledge gaps."),
                },
            ),
        ),
    ),
)
