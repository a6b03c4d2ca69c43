"""Spelling variants of IT-helpdesk words that every Japanese knowledge base meets.

Each group is a set of equivalent terms; the first is the canonical spelling. Editors add their
own groups in synonyms.yaml; the two lists are merged. Width, case, kana and long-vowel variants are
already folded by `normalize.fold`, so only genuinely different spellings belong here.
"""

from __future__ import annotations

GLOSSARY: tuple[tuple[str, ...], ...] = (
    ("Teams", "チームズ", "ティームズ", "MSTeams"),
    ("Wi-Fi", "WiFi", "ワイファイ", "無線LAN", "無線ラン", "ワイヤレス"),
    ("PDF", "ピーディーエフ", "ピーディエフ"),
    ("パスワード", "PW", "パス", "パスワ", "password", "passwd", "暗証番号"),
    ("Outlook", "アウトルック"),
    ("Excel", "エクセル"),
    ("Word", "ワード"),
    ("PowerPoint", "パワーポイント", "パワポ", "PPT"),
    ("OneDrive", "ワンドライブ"),
    ("SharePoint", "シェアポイント"),
    ("VPN", "ブイピーエヌ"),
    ("USB", "ユーエスビー", "USBメモリ", "USBメモリー"),
    ("メール", "mail", "Eメール", "email", "電子メール"),
    ("スマートフォン", "スマホ", "smartphone", "携帯電話", "ケータイ", "携帯"),
    ("iPhone", "アイフォン", "アイフォーン"),
    ("Android", "アンドロイド"),
    ("パソコン", "PC", "ピーシー", "端末", "computer"),
    ("ノートパソコン", "ノートPC", "laptop"),
    ("プリンター", "printer", "プリンタ", "複合機", "コピー機"),
    ("アカウント", "account", "ID"),
    ("ログイン", "サインイン", "login", "signin", "ログオン"),
    ("ログアウト", "サインアウト", "logout", "signout"),
    ("ネットワーク", "network", "ネット", "インターネット", "internet"),
    ("共有フォルダ", "共有フォルダー", "ファイルサーバ", "shared folder", "共有ドライブ"),
    ("フォルダ", "folder", "ディレクトリ"),
    ("ウイルス", "ウィルス", "virus", "マルウェア", "malware"),
    ("生成AI", "ChatGPT", "チャットGPT", "Copilot", "コパイロット", "generative AI"),
    ("文字起こし", "書き起こし", "transcription", "テープ起こし", "議事録作成"),
    ("会議", "meeting", "ミーティング", "打ち合わせ", "打合せ"),
    ("電話帳", "連絡先", "アドレス帳", "contacts"),
    ("テレワーク", "在宅勤務", "リモートワーク", "telework", "remote work"),
    ("ブラウザ", "browser", "Edge", "Chrome"),
    ("ヘルプデスク", "helpdesk", "情報政策課", "ICT担当"),
    ("多要素認証", "MFA", "二段階認証", "2段階認証", "2FA"),
    ("ロック", "lock", "locked", "ロックアウト"),
    ("削除", "delete", "消去"),
    ("印刷", "print", "プリント"),
    ("インストール", "install", "導入"),
    ("更新", "update", "アップデート"),
    ("エラー", "error"),
    ("紛失", "なくした", "無くした", "落とした", "lost"),
    ("結合", "merge", "くっつける", "まとめる", "一つにする"),
    ("分割", "split", "分ける"),
    ("黒塗り", "墨消し", "マスキング", "redaction", "redact"),
    ("検索", "search", "探す", "さがす"),
    ("録画", "recording", "レコーディング"),
    ("忘れた", "forgot", "forgotten", "わからなくなった", "分からなくなった"),
    ("繋がる", "つながる", "connect", "接続"),
)
