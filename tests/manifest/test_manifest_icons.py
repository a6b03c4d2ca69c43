"""The icons Teams shows: sizes, colours, transparency, and the checker that guards them."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from manifest.document import ACCENT_COLOR
from manifest.icons import draw_color_icon, draw_outline_icon, png_bytes
from manifest.validation import icon_problems


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_packaged_colour_icon_is_a_192_px_png_on_the_brand_colour(zip_members: dict[str, bytes]) -> None:
    icon = _open(zip_members["color.png"])
    assert icon.format == "PNG"
    assert icon.size == (192, 192)
    rgb = icon.convert("RGB")
    accent = tuple(int(ACCENT_COLOR[i : i + 2], 16) for i in (1, 3, 5))
    # A solid background (corners) and a white symbol in the middle third.
    assert {rgb.getpixel(corner) for corner in [(0, 0), (191, 0), (0, 191), (191, 191)]} == {accent}
    middle = rgb.crop((64, 64, 128, 128)).get_flattened_data()
    assert (255, 255, 255) in middle
    assert accent in middle


def test_packaged_outline_icon_is_32_px_white_on_transparency(zip_members: dict[str, bytes]) -> None:
    icon = _open(zip_members["outline.png"])
    assert icon.format == "PNG"
    assert icon.size == (32, 32)
    assert icon.mode == "RGBA"
    pixels = icon.get_flattened_data()
    assert {pixel[:3] for pixel in pixels} == {(255, 255, 255)}
    alphas = [pixel[3] for pixel in pixels]
    # A transparent background around a fully opaque symbol that fills a good part of the square.
    assert alphas[0] == 0
    assert min(alphas) == 0
    assert max(alphas) == 255
    covered = sum(alpha > 127 for alpha in alphas) / len(alphas)
    assert 0.3 < covered < 0.8


def test_icon_checker_accepts_the_drawn_icons() -> None:
    assert icon_problems(png_bytes(draw_color_icon(ACCENT_COLOR)), png_bytes(draw_outline_icon())) == []


def _outline_with(colour: tuple[int, int, int, int], size: int = 32) -> bytes:
    icon = draw_outline_icon().resize((size, size))
    icon.putpixel((size // 2, size // 2), colour)
    return png_bytes(icon)


@pytest.mark.parametrize(
    ("outline", "expected"),
    [
        (_outline_with((255, 0, 0, 255)), "non-white"),
        (png_bytes(Image.new("RGBA", (32, 32), (255, 255, 255, 255))), "no transparent pixel"),
        (png_bytes(Image.new("RGBA", (32, 32), (255, 255, 255, 0))), "empty"),
        (_outline_with((255, 255, 255, 255), size=48), "48×48"),
        (b"not a png", "not a readable image"),
    ],
)
def test_icon_checker_rejects_a_bad_outline_icon(outline: bytes, expected: str) -> None:
    problems = icon_problems(png_bytes(draw_color_icon(ACCENT_COLOR)), outline)
    assert any(expected in problem for problem in problems), problems


def test_icon_checker_rejects_a_colour_icon_of_the_wrong_size_or_format() -> None:
    outline = png_bytes(draw_outline_icon())
    small = png_bytes(draw_color_icon(ACCENT_COLOR).resize((96, 96)))
    jpeg = io.BytesIO()
    draw_color_icon(ACCENT_COLOR).save(jpeg, format="JPEG")
    assert any("96×96" in problem for problem in icon_problems(small, outline))
    assert any("expected PNG" in problem for problem in icon_problems(jpeg.getvalue(), outline))
