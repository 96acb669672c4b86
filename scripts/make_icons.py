"""Draw the app icons (two linked rings, つなぐ = "to link") into tsunagu/web/static; run after a design change."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parents[1] / "tsunagu" / "web" / "static"
BLUE, WHITE = (11, 92, 173), (255, 255, 255)


def draw_icon(size: int) -> Image.Image:
    """A square icon; the rings stay inside the central 80 % so maskable crops keep them."""
    scale = 4  # draw large, then downsample: smooth edges without antialiasing support in ImageDraw
    big = size * scale
    image = Image.new("RGB", (big, big), BLUE)
    draw = ImageDraw.Draw(image)
    radius, width = big * 0.19, max(scale, int(big * 0.065))
    for cx in (big * 0.39, big * 0.61):
        box = (cx - radius, big / 2 - radius, cx + radius, big / 2 + radius)
        draw.ellipse(box, outline=WHITE, width=width)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    """Write icon-192.png, icon-512.png and favicon.ico."""
    draw_icon(192).save(STATIC / "icon-192.png", optimize=True)
    draw_icon(512).save(STATIC / "icon-512.png", optimize=True)
    draw_icon(64).save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
