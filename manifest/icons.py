"""Kotae's two icons, drawn with Pillow: a speech bubble holding a check mark ("answered").

No font is needed (a 答 glyph would need a CJK font on the build machine). Shapes are drawn at 8×
the size and scaled down, which gives clean anti-aliased edges at 32×32 and 192×192.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

__all__ = ["COLOR_SIZE", "OUTLINE_SIZE", "draw_color_icon", "draw_outline_icon", "png_bytes"]

COLOR_SIZE = 192
OUTLINE_SIZE = 32
_SUPERSAMPLE = 8
_WHITE = (255, 255, 255)


def draw_color_icon(accent: str) -> Image.Image:
    """192×192, a white bubble on a solid `accent` background; the check shows the background through."""
    # Teams crops and rounds the colour icon itself; the symbol stays inside the middle ~60 %.
    mask = _symbol_mask(COLOR_SIZE, margin=0.2)
    icon = Image.new("RGB", (COLOR_SIZE, COLOR_SIZE), accent)
    icon.paste(_WHITE, (0, 0), mask)
    return icon


def draw_outline_icon() -> Image.Image:
    """32×32, white on transparency only, as Teams requires for the outline icon."""
    mask = _symbol_mask(OUTLINE_SIZE, margin=1 / OUTLINE_SIZE)
    icon = Image.new("RGBA", (OUTLINE_SIZE, OUTLINE_SIZE), (*_WHITE, 0))
    icon.putalpha(mask)
    return icon


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _symbol_mask(size: int, margin: float) -> Image.Image:
    """An 8-bit mask of the symbol (255 = symbol) filling the square inside `margin` (a fraction)."""
    big = size * _SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    origin = margin * big
    span = big - 2 * origin

    def at(x: float, y: float) -> tuple[float, float]:
        """A point of the symbol, given in 0..1 units of the symbol's box."""
        return origin + x * span, origin + y * span

    # The bubble: a rounded body over the top four fifths, a tail pointing down-left beneath it.
    bubble_top, bubble_bottom = 0.04, 0.80
    draw.rounded_rectangle((*at(0.0, bubble_top), *at(1.0, bubble_bottom)), radius=0.24 * span, fill=255)
    draw.polygon([at(0.20, 0.70), at(0.48, 0.70), at(0.16, 0.98)], fill=255)

    # The check mark, cut out of the bubble with round ends and a round corner.
    stroke = 0.13 * span
    check = [at(0.27, 0.43), at(0.44, 0.60), at(0.74, 0.27)]
    draw.line(check, fill=0, width=round(stroke), joint="curve")
    for x, y in (check[0], check[-1]):
        draw.ellipse((x - stroke / 2, y - stroke / 2, x + stroke / 2, y + stroke / 2), fill=0)

    return mask.resize((size, size), Image.Resampling.LANCZOS)
