"""Generates a labelled corpus for answering-machine detection (AMD).

Each clip is what the robot hears from the moment a call is answered: a person
("Allô ?" then waiting, a long sentence, a late answer, background noise) or a
voicemail greeting of 2–12 s (with a beep after it, a late beep, no beep, music
under it), over line noise or digital silence, at 8 kHz through G.711 µ-law and
back to 16-bit PCM. Voices: SVOX Pico fr-FR (py-nanotts) with speed and pitch
variants as pseudo-speakers, and espeak-ng's French voices. sox resamples.

Writes OUT_DIR/NNNN-<label>-<scenario>.wav and OUT_DIR/manifest.tsv with the
columns file, label, scenario, voice, speech_start_ms, speech_end_ms (end of
the greeting: the first utterance of a person, the whole greeting of a
machine), beep_start_ms, beep_end_ms (empty without a beep), duration_ms, text.
Run it through scripts/amd-corpus, which picks the Python that has py-nanotts.
"""
import argparse
import array
import math
import os
import random
import subprocess
import sys

RATE = 8000

# People answering. Short answers are most of them; some say a whole sentence.
HUMAN_SHORT = [
    "Allô ?", "Allô ?", "Allô oui ?", "Oui ?", "Oui allô ?", "Allô, oui, bonjour.", "Oui, j'écoute.",
    "Bonjour !", "Oui bonjour.", "Allô, c'est qui ?", "Oui, c'est pour quoi ?", "Allô, bonjour.",
    "Ouais ?", "Allô, j'écoute.", "Oui, allô ?", "Allô ? Oui ?", "Bonjour, oui ?", "Oui, c'est moi.",
]
HUMAN_LONG = [
    "Oui bonjour, c'est Marie Dupont de la société Martin, je vous écoute.",
    "Allô oui, Pierre Durand à l'appareil, qui est à l'appareil ?",
    "Bonjour, cabinet du docteur Lefèvre, que puis-je faire pour vous ?",
    "Oui allô, excusez-moi, j'étais dans le jardin, c'est à quel sujet ?",
    "Allô, oui, c'est bien moi, qu'est-ce que c'est ?",
    "Garage Moreau bonjour, Julien à l'appareil, je vous écoute.",
    "Allô ? Oui, bonjour, je vous entends mal, vous pouvez répéter ?",
]
# Voicemail greetings, from the operator's default to a person's own.
NAMES = ["Paul", "Julie", "Marc Lefèvre", "Sophie", "Nathalie Bernard", "Thomas", "Isabelle Petit",
         "Karim", "Camille Roux", "Laurent", "Émilie Garnier", "Vincent Morel"]
COMPANIES = ["Martin Immobilier", "la boulangerie Lambert", "Dubois Assurances", "l'agence Horizon",
             "Plomberie Girard", "Mercier Conseil"]
NUMBERS = ["06 12 34 56 78", "07 81 42 19 63", "06 45 90 12 37", "01 43 22 87 15", "06 98 76 54 32"]
MACHINE_SHORT = [
    "Bonjour, c'est {name}, laissez un message.",
    "{name}, laissez-moi un message.",
    "Vous êtes bien chez {name}, laissez un message.",
    "{name}, je vous rappelle.",
    "Messagerie de {name}, parlez après le bip.",
    "{name}. Laissez un message.",
    "Bonjour, ici {name}, je rappelle vite.",
]
MACHINE_LONG = [
    "Bonjour, vous êtes bien sur la messagerie vocale du {num}. Votre correspondant n'est pas disponible "
    "pour le moment. Laissez un message après le bip sonore.",
    "Bonjour, vous êtes bien sur le répondeur de {name}. Je ne suis pas disponible pour le moment, "
    "laissez-moi un message et je vous rappellerai dès que possible.",
    "Bonjour, {name} à l'appareil. Je ne peux pas vous répondre, merci de laisser un message.",
    "Le {num} n'est pas disponible. Laissez un message après le bip.",
    "Bienvenue chez {company}. Nos bureaux sont actuellement fermés. Nous sommes ouverts du lundi au "
    "vendredi, de neuf heures à dix-huit heures. Merci de laisser vos coordonnées après le signal sonore.",
    "Salut, c'est {name} ! Je suis sûrement occupé, laisse-moi un message, je te rappelle.",
    "Bonjour, vous êtes sur la boîte vocale de {name}. Merci de laisser un message.",
    "Votre correspondant n'est pas joignable pour le moment. Veuillez laisser un message après le bip.",
    "Bonjour, vous êtes bien au {num}. Nous ne pouvons pas prendre votre appel, merci de rappeler plus tard.",
    "Bonjour et bienvenue chez {company}. Tous nos conseillers sont en ligne. Laissez-nous votre nom et "
    "votre numéro, nous vous rappellerons dans la journée.",
    "Bonjour, vous êtes bien chez {name}. Nous sommes absents pour le moment. Après le bip, laissez votre "
    "message, votre numéro de téléphone, et nous vous rappellerons. Merci et à bientôt.",
    "Oui bonjour, c'est {name}. Je suis en déplacement jusqu'à lundi. Pour une urgence, appelez le "
    "standard. Sinon, laissez un message.",
]
# Frequencies of voicemail beeps heard on French and European platforms, Hz.
BEEP_FREQUENCIES = [425, 440, 850, 950, 1000, 1004, 1200, 1400]


class Voices:
    """Synthesises French speech at 8 kHz (16-bit samples in an array), cached per voice and text."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.cache = {}

    def pick(self, rng):
        if rng.random() < 0.7:
            return ("pico", round(rng.uniform(0.85, 1.15), 2), round(rng.uniform(0.8, 1.25), 2))
        return ("espeak", rng.choice(["fr", "fr+f3", "fr+m3", "fr+f2", "fr+m1"]), rng.randint(130, 165))

    @staticmethod
    def name(voice):
        return f"pico-s{voice[1]}-p{voice[2]}" if voice[0] == "pico" else f"espeak-{voice[1]}-{voice[2]}"

    def speak(self, voice, text):
        key = (voice, text)
        if key not in self.cache:
            if voice[0] == "pico":
                pcm = pico(text, voice[1], voice[2])
                raw = sox(["-t", "raw", "-r", "16000", "-e", "signed-integer", "-b", "16", "-c", "1", "-"], pcm)
            else:
                path = os.path.join(self.workdir, "espeak.wav")
                subprocess.run(["espeak-ng", "-v", voice[1], "-s", str(voice[2]), "-w", path, text], check=True)
                raw = sox([path])
            samples = array.array("h")
            samples.frombytes(raw)
            self.cache[key] = trim(samples)
        return self.cache[key]


PICO = """import sys
from py_nanotts import NanoTTS
sys.stdout.buffer.write(NanoTTS().speak(sys.argv[1], voice="fr-FR", speed=float(sys.argv[2]), pitch=float(sys.argv[3])))
"""


def pico(text, speed, pitch):
    """Pico's 16 kHz PCM for the text. Each utterance gets a fresh process: in one process, Pico's output
    for the same input drifts from call to call (it reads state left by earlier calls), which would make
    the corpus differ between runs of the same seed."""
    out = subprocess.run([sys.executable, "-c", PICO, text, str(speed), str(pitch)], capture_output=True, check=True)
    return out.stdout


def sox(input_args, data=None):
    """Runs sox to turn its input into 8 kHz mono 16-bit raw samples, returned as bytes (no dither: the same
    input gives the same bytes)."""
    out = subprocess.run(["sox", "-V1", "-D", *input_args, "-r", str(RATE), "-c", "1", "-e", "signed-integer",
                          "-b", "16", "-t", "raw", "-"], input=data, capture_output=True, check=True)
    return out.stdout


def trim(samples):
    """Cuts the synthesiser's leading and trailing silence: keeps 10 ms windows within 40 dB of the loudest."""
    win = RATE // 100
    levels = [rms(samples[i:i + win]) for i in range(0, len(samples) - win + 1, win)]
    top = max(levels) if levels else 0
    active = [i for i, level in enumerate(levels) if level >= top * 0.01]
    if not active:
        return samples
    return samples[active[0] * win:(active[-1] + 1) * win]


def rms(x):
    return math.sqrt(sum(v * v for v in x) / len(x)) if len(x) else 0.0


class Scene:
    """A clip under construction: float samples, the truth about it, and what made it."""

    def __init__(self, seconds):
        self.x = [0.0] * int(seconds * RATE)
        self.speech = []          # (start, end) sample ranges of each utterance
        self.beep = None          # (start, end)
        self.texts = []

    def ensure(self, length):
        if length > len(self.x):
            self.x.extend([0.0] * (length - len(self.x)))

    def add(self, samples, at, gain=1.0):
        self.ensure(at + len(samples))
        x = self.x
        for i, v in enumerate(samples):
            x[at + i] += v * gain

    def say(self, samples, at, level_dbfs, text):
        gain = 32768 * 10 ** (level_dbfs / 20) / max(1.0, active_rms(samples))
        self.add(samples, at, gain)
        self.speech.append((at, at + len(samples)))
        self.texts.append(text)
        return at + len(samples)


def active_rms(samples):
    """RMS over the 10 ms windows within 30 dB of the loudest: the level of the speech itself."""
    win = RATE // 100
    levels = [rms(samples[i:i + win]) for i in range(0, len(samples) - win + 1, win)]
    top = max(levels) if levels else 0
    loud = [v for v in levels if v >= top * 0.0316]
    return math.sqrt(sum(v * v for v in loud) / len(loud)) if loud else 1.0


def tone(freq, seconds, dbfs):
    """A beep: a sine with 5 ms ramps."""
    n = int(seconds * RATE)
    amp = 32768 * 10 ** (dbfs / 20) * math.sqrt(2)
    ramp = RATE // 200
    out = []
    for i in range(n):
        env = min(1.0, i / ramp, (n - 1 - i) / ramp)
        out.append(amp * env * math.sin(2 * math.pi * freq * i / RATE))
    return out


def music(rng, seconds, dbfs):
    """On-hold style music: chords of three notes with harmonics, changing every 0.3–0.8 s, with a soft attack."""
    n = int(seconds * RATE)
    out = [0.0] * n
    i = 0
    roots = [220.0, 246.9, 261.6, 293.7, 329.6, 349.2, 392.0]
    while i < n:
        length = min(n - i, int(rng.uniform(0.3, 0.8) * RATE))
        root = rng.choice(roots)
        notes = [root, root * 1.26, root * 1.5]
        phases = [rng.random() * 6.28 for _ in notes]
        for k in range(length):
            t = k / RATE
            env = min(1.0, k / 400) * math.exp(-1.5 * t)
            s = 0.0
            for f, p in zip(notes, phases):
                w = 2 * math.pi * f * t + p
                s += math.sin(w) + 0.4 * math.sin(2 * w) + 0.2 * math.sin(3 * w)
            out[i + k] = s * env
        i += length
    level = rms(out) or 1.0
    gain = 32768 * 10 ** (dbfs / 20) / level
    return [v * gain for v in out]


def noise(rng, n, dbfs, kind):
    """White, pink-ish (one-pole low-pass) or babble-like (amplitude-modulated low-passed) noise."""
    out = [rng.gauss(0, 1) for _ in range(n)]
    if kind in ("pink", "babble"):
        y = 0.0
        for i in range(n):
            y = 0.9 * y + out[i]
            out[i] = y
    if kind == "babble":
        mod, target = 1.0, 1.0
        for i in range(n):
            if i % 800 == 0:
                target = rng.uniform(0.6, 1.4)
            mod += (target - mod) * 0.002
            out[i] *= mod
    level = rms(out) or 1.0
    gain = 32768 * 10 ** (dbfs / 20) / level
    return [v * gain for v in out]


def ulaw_round_trip(x):
    """16-bit PCM through G.711 µ-law and back, as a line does."""
    out = array.array("h")
    for v in x:
        s = max(-32635, min(32635, int(round(v))))
        sign = 0x80 if s < 0 else 0
        s = min(abs(s) + 0x84, 32767)
        exponent = max(0, s.bit_length() - 8)
        mantissa = (s >> (exponent + 3)) & 0x0F
        code = ~(sign | (exponent << 4) | mantissa) & 0xFF
        code = ~code & 0xFF
        e = (code >> 4) & 0x07
        m = code & 0x0F
        magnitude = ((m << 3) + 0x84) << e
        out.append(-(magnitude - 0x84) if code & 0x80 else magnitude - 0x84)
    return out


def write_wav(path, samples):
    import wave
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.tobytes())


def human(rng, voices, scenario):
    voice = voices.pick(rng)
    level = rng.uniform(-30, -18)
    lead = rng.uniform(1.0, 2.0) if scenario == "late" else rng.uniform(0.15, 0.8)
    text = rng.choice(HUMAN_LONG if scenario == "long" else HUMAN_SHORT)
    scene = Scene(lead)
    end = scene.say(voices.speak(voice, text), int(lead * RATE), level, text)
    if scenario == "repeat":
        again = rng.choice(["Allô ?", "Allô ? Allô ?", "Oui ?", "Il y a quelqu'un ?"])
        at = end + int(rng.uniform(2.2, 3.0) * RATE)
        end = scene.say(voices.speak(voice, again), at, level + rng.uniform(0, 3), again)
    scene.ensure(end + int(rng.uniform(2.5, 4.0) * RATE))
    return scene, voice


def machine(rng, voices, scenario):
    voice = voices.pick(rng)
    level = rng.uniform(-28, -16)
    lead = rng.uniform(0.1, 1.2)
    fill = lambda t: t.format(name=rng.choice(NAMES), num=rng.choice(NUMBERS), company=rng.choice(COMPANIES))
    if scenario == "short-beep":
        text = fill(rng.choice(MACHINE_SHORT))
    elif rng.random() < 0.2:
        text = fill(rng.choice(MACHINE_SHORT))
    else:
        text = fill(rng.choice(MACHINE_LONG))
    scene = Scene(lead)
    at = int(lead * RATE)
    speech = voices.speak(voice, text)
    if len(speech) > 12 * RATE:            # greetings are 2–12 s: a recorder stops at its limit
        speech = speech[:12 * RATE]
    if len(speech) < 2 * RATE:             # and a short one gets its name said twice, as some do
        speech = speech + array.array("h", [0] * int(0.3 * RATE)) + speech
        text = text + " " + text
    end = scene.say(speech, at, level, text)
    if scenario == "music":
        bed_start = max(0, at - int(rng.uniform(0, 1.0) * RATE))
        bed_end = end + int(rng.uniform(0, 0.4) * RATE)
        scene.add(music(rng, (bed_end - bed_start) / RATE, level - rng.uniform(10, 18)), bed_start)
    gap = {"late-beep": rng.uniform(1.5, 3.0), "short-beep": rng.uniform(0.4, 0.6)}.get(scenario, rng.uniform(0.2, 1.0))
    with_beep = scenario != "no-beep" and not (scenario == "music" and rng.random() < 0.2)
    if with_beep:
        start = end + int(gap * RATE)
        beep = tone(rng.choice(BEEP_FREQUENCIES), rng.uniform(0.25, 0.8), level + rng.uniform(-6, 3))
        scene.add(beep, start)
        scene.beep = (start, start + len(beep))
        scene.ensure(scene.beep[1] + int(rng.uniform(1.0, 2.0) * RATE))
    else:
        scene.ensure(end + int(rng.uniform(3.0, 4.0) * RATE))
    return scene, voice


HUMAN_SCENARIOS = [("allo-wait", 40), ("repeat", 10), ("long", 20), ("late", 10), ("noisy", 20)]
MACHINE_SCENARIOS = [("beep", 45), ("short-beep", 10), ("late-beep", 15), ("no-beep", 15), ("music", 15)]


def weighted(rng, table):
    total = sum(w for _, w in table)
    r = rng.uniform(0, total)
    for name, w in table:
        r -= w
        if r <= 0:
            return name
    return table[-1][0]


def main():
    parser = argparse.ArgumentParser(description="Generate a labelled AMD corpus (8 kHz, through µ-law).")
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    voices = Voices(args.out)
    rows = []
    for i in range(args.count):
        label = "human" if i % 2 == 0 else "machine"
        scenario = weighted(rng, HUMAN_SCENARIOS if label == "human" else MACHINE_SCENARIOS)
        scene, voice = (human if label == "human" else machine)(rng, voices, scenario)
        if scenario == "noisy":
            kind, dbfs = rng.choice(["babble", "pink", "white"]), rng.uniform(-48, -38)
        elif rng.random() < 0.6:
            kind, dbfs = rng.choice(["white", "pink"]), rng.uniform(-66, -50)
        else:
            kind = None
        if kind:
            for k, v in enumerate(noise(rng, len(scene.x), dbfs, kind)):
                scene.x[k] += v
        name = f"{i + 1:04d}-{label}-{scenario}.wav"
        write_wav(os.path.join(args.out, name), ulaw_round_trip(scene.x))
        ms = lambda n: str(round(n * 1000 / RATE))
        first_end = scene.speech[0][1] if label == "human" else scene.speech[-1][1]
        rows.append([name, label, scenario, Voices.name(voice), ms(scene.speech[0][0]), ms(first_end),
                     ms(scene.beep[0]) if scene.beep else "", ms(scene.beep[1]) if scene.beep else "",
                     ms(len(scene.x)), " | ".join(scene.texts).replace("\t", " ")])
    espeak_tmp = os.path.join(args.out, "espeak.wav")
    if os.path.exists(espeak_tmp):
        os.remove(espeak_tmp)
    with open(os.path.join(args.out, "manifest.tsv"), "w", encoding="utf-8") as f:
        f.write("file\tlabel\tscenario\tvoice\tspeech_start_ms\tspeech_end_ms\tbeep_start_ms\tbeep_end_ms\tduration_ms\ttext\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    print(f"{len(rows)} clips and manifest.tsv in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
