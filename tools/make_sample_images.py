"""Draw the sample catalogue's product photos (project-made, so freely redistributable).

Studio-style shots: a soft gradient backdrop, a floor shadow and a simple product form.
Run once; the outputs are committed under ddm_lang/stdlib_templates/samples/images.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parents[1] / "ddm_lang" / "stdlib_templates" / "samples" / "images"


def backdrop(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    w, h = size
    img = Image.new("RGB", size)
    px = img.load()
    for y in range(h):
        t = y / (h - 1)
        c = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        for x in range(w):
            px[x, y] = c
    return img


def floor_shadow(img: Image.Image, box: tuple[int, int, int, int], blur: int = 18) -> None:
    shadow = Image.new("L", img.size, 0)
    ImageDraw.Draw(shadow).ellipse(box, fill=120)
    shadow = shadow.filter(ImageFilter.GaussianBlur(blur))
    img.paste((40, 40, 40), mask=shadow)


def bottle() -> Image.Image:
    img = backdrop((900, 1200), (236, 240, 232), (206, 214, 200))
    floor_shadow(img, (270, 1010, 630, 1070))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((300, 380, 600, 1040), radius=60, fill=(46, 110, 84))
    d.rectangle((390, 250, 510, 400), fill=(46, 110, 84))
    d.rounded_rectangle((380, 200, 520, 270), radius=14, fill=(30, 30, 30))
    d.rounded_rectangle((320, 600, 580, 860), radius=12, fill=(244, 236, 214))
    d.rectangle((320, 700, 580, 712), fill=(46, 110, 84))
    d.rectangle((330, 400, 352, 1000), fill=(90, 160, 128))
    return img


def mug() -> Image.Image:
    img = backdrop((1200, 900), (250, 236, 224), (232, 208, 190))
    floor_shadow(img, (330, 720, 870, 800))
    d = ImageDraw.Draw(img)
    d.ellipse((700, 380, 930, 640), outline=(200, 80, 60), width=46)
    d.rounded_rectangle((360, 300, 780, 760), radius=50, fill=(214, 92, 70))
    d.ellipse((360, 270, 780, 340), fill=(236, 120, 96))
    d.ellipse((385, 282, 755, 330), fill=(90, 50, 36))
    d.rectangle((380, 320, 404, 720), fill=(236, 132, 110))
    return img


def sneaker() -> Image.Image:
    img = backdrop((1100, 1100), (226, 232, 246), (196, 206, 230))
    floor_shadow(img, (170, 800, 950, 880))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((160, 720, 960, 820), radius=40, fill=(245, 245, 245))
    d.polygon([(200, 740), (260, 470), (420, 430), (560, 560), (900, 640), (940, 740)],
              fill=(40, 72, 160))
    d.polygon([(300, 520), (420, 470), (520, 580), (360, 640)], fill=(250, 250, 250))
    for i in range(5):
        d.line((330 + i * 36, 520 + i * 14, 400 + i * 36, 500 + i * 14), fill=(255, 210, 60),
               width=8)
    d.rectangle((160, 780, 960, 792), fill=(210, 210, 210))
    return img


def logo() -> Image.Image:
    img = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((20, 20, 380, 380), fill=(30, 30, 30, 255))
    d.ellipse((90, 90, 310, 310), fill=(0, 0, 0, 0))
    d.rectangle((180, 20, 220, 380), fill=(30, 30, 30, 255))
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    bottle().save(OUT / "bottle.jpg", quality=88)
    mug().save(OUT / "mug.jpg", quality=88)
    sneaker().save(OUT / "sneaker.jpg", quality=88)
    logo().save(OUT / "logo.png")


if __name__ == "__main__":
    main()
