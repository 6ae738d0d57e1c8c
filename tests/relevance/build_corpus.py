"""Writes corpus.json and judgements.json: the relevance suite's fixed corpus and graded
judgements. Run it only to change the corpus on purpose (`python -m tests.relevance.build_corpus`);
the suite reads the JSON files, so a ranking change can never move its own goalposts.

Each topic has posts written around it: grade 3 names the topic outright, grade 2 names
it in another form (a plural, a stem, another spelling, a compound), grade 1 is about it
without the word people would type first. Distractors share words with topics but are
about something else. Users and groups carry names in every script. A post's title is its name, made from its
text the way POST /posts makes it (functions.posts.create.post_name).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from functions.posts.create import post_name

HERE = Path(__file__).parent
START = datetime(2026, 1, 1, tzinfo=UTC)

USERS = [
    ("Ada Lovelace", "en"), ("Grace Hopper", "en"), ("Alan Turing", "en"), ("Zoë Müller", "accents"),
    ("José García", "accents"), ("François Dupré", "accents"), ("Søren Ørsted", "accents"),
    ("Jürgen Großmann", "de"), ("Käthe Schäfer", "de"), ("王小明", "zh"), ("李华", "zh"),
    ("张伟", "zh"), ("山田太郎", "ja"), ("佐藤花子", "ja"), ("田中", "ja"), ("محمد علي", "ar"),
    ("فاطمة الزهراء", "ar"), ("أحمد حسن", "ar"), ("Mia Hikes", "en"), ("Noah Bakes", "en"),
    ("Olivia Chen", "en"), ("Liam O'Brien", "en"), ("Emma Café", "accents"), ("Lukas Weber", "de"),
    ("Hannah Becker", "de"), ("陈静", "zh"), ("鈴木一郎", "ja"), ("خالد عمر", "ar"),
    ("Chloé Lefèvre", "accents"), ("Ben Runner", "en"),
]  # fmt: skip

GROUPS = [
    ("Hiking Zürich", "en"), ("Sourdough bakers", "en"), ("Jazz on Fridays", "en"),
    ("Café lovers", "accents"), ("Crème brûlée club", "accents"), ("São Paulo runners", "accents"),
    ("Fußballverein Köln", "de"), ("Straßenbahn Freunde", "de"), ("Apfelkuchen Rezepte", "de"),
    ("北京火锅爱好者", "zh"), ("熊猫保护", "zh"), ("东京花見の会", "ja"), ("ラーメン部", "ja"),
    ("富士山登山", "ja"), ("محبي القهوة", "ar"), ("كرة القدم في القاهرة", "ar"),
    ("#photography", "tags"), ("🎉 party planners", "tags"), ("Chess openings", "en"),
    ("Urban gardening", "en"),
]  # fmt: skip

# lang, topic, {grade: [texts]}, queries (the topic's own docs are the judgement)
TOPICS: list[tuple[str, str, dict[int, list[str]], list[str]]] = [
    ("en", "hiking", {
        3: ["Hiking the ridge trail at dawn, best hiking day this year",
            "Hiking club meets Saturday for a hiking loop around the lake"],
        2: ["We hiked nine miles and my boots finally gave up",
            "Two new hikers joined us; the hikes get longer every week"],
        1: ["Trail report: muddy switchbacks, great views from the summit"],
    }, ["hiking", "hike", "hikes trail"]),
    ("en", "bread", {
        3: ["Baking bread at home: my sourdough bread finally rose",
            "Bread baking tips: a hot oven and steam make the crust"],
        2: ["Baked three loaves of rye breads for the market",
            "The bakery on Main Street bakes baguettes every morning"],
        1: ["My starter is bubbly, the dough proofed overnight"],
    }, ["baking bread", "bake bread", "sourdough"]),
    ("en", "photography", {
        3: ["Photography walk downtown: street photography at golden hour",
            "Film photography is back, I shot two rolls of photography experiments"],
        2: ["A photographer friend showed me how to photograph rain",
            "These photographs from the harbour came out sharp"],
        1: ["New lens, 35mm prime, perfect for portraits"],
    }, ["photography", "photographer", "phtography"]),
    ("en", "marathon", {
        3: ["Marathon training week 12: long run of the marathon plan done",
            "City marathon route announced, marathon runners start at 7"],
        2: ["Ran my first half-marathon, running felt easy until mile ten",
            "Running shoes for marathons: what do runners use?"],
        1: ["Carb loading before race day, pasta everywhere"],
    }, ["marathon", "marathon running", "marathn"]),
    ("en", "gardening", {
        3: ["Gardening on a balcony: gardening in pots works",
            "Urban gardening meetup, bring seeds and gardening gloves"],
        2: ["The community garden needs volunteers; gardeners welcome",
            "My gardens survived the frost, tomatoes still growing"],
        1: ["Compost tips: leaves, coffee grounds and patience"],
    }, ["gardening", "garden", "gardenning"]),
    ("en", "chess", {
        3: ["Chess night at the library, chess boards provided",
            "Chess openings for beginners: chess is about the centre"],
        2: ["Our chess club's blitz tournament had 30 players"],
        1: ["Grandmaster simul: she played forty boards at once"],
    }, ["chess", "chess openings"]),
    ("accents", "cafe", {
        3: ["Le café du coin sert le meilleur café de la ville",
            "Café Central reopened, the café has new pastries"],
        2: ["Cafe hopping in Lisbon: every cafe had custard tarts",
            "CAFÉS of Vienna: a guide to cafés and their cakes"],
        1: ["Espresso, cortado, flat white: which do you order?"],
    }, ["cafe", "café", "CAFE"]),
    ("accents", "zurich", {
        3: ["Zürich lake swim, Zürich in summer is perfect",
            "Moving to Zürich: notes on flats and trams in Zürich"],
        2: ["Zurich airport to the old town takes ten minutes by train"],
        1: ["Swiss trains are on time, even in the snow near the lake"],
    }, ["Zürich", "zurich"]),
    ("accents", "creme", {
        3: ["Crème brûlée recipe: the crème needs a long bake",
            "Best crème brûlée in Paris, caramel crust crackles"],
        2: ["Creme brulee for dessert again, no regrets"],
        1: ["Custard with burnt sugar on top, a French classic"],
    }, ["creme brulee", "crème brûlée"]),
    ("accents", "saopaulo", {
        3: ["São Paulo street food tour, São Paulo never sleeps",
            "Running in São Paulo: Ibirapuera park at 6 am"],
        2: ["Sao Paulo traffic is legendary, take the metro"],
        1: ["Brazil's biggest city has amazing pastel de feira"],
    }, ["sao paulo", "São Paulo"]),
    ("accents", "malaga", {
        3: ["Málaga beaches in October, Málaga is still warm",
            "Picasso museum in Málaga worth the queue"],
        2: ["Malaga to Granada by bus, three hours"],
        1: ["Andalusian coast trip, sunsets and sardines"],
    }, ["malaga", "Málaga"]),
    ("de", "fussball", {
        3: ["Fußball am Sonntag: unser Fußballverein gewinnt wieder",
            "Fußballtraining fällt aus, der Fußballplatz ist gesperrt"],
        2: ["Die Fußballweltmeisterschaft beginnt im Juni",
            "Neuer Trainer beim Verein, Fussball mit Leidenschaft"],
        1: ["Tor in der letzten Minute, das Stadion tobt"],
    }, ["Fußball", "fussball", "Verein"]),
    ("de", "strassenbahn", {
        3: ["Straßenbahn Linie 4 fährt wieder, die Straßenbahn ist pünktlich",
            "Straßenbahnfahrer streiken am Montag"],
        2: ["Strassenbahn oder Bus? In Köln lieber die Bahn"],
        1: ["Die Haltestelle am Markt wird umgebaut"],
    }, ["Straßenbahn", "strassenbahn", "Bahn"]),
    ("de", "kuchen", {
        3: ["Apfelkuchen nach Omas Rezept: der beste Kuchen",
            "Kuchen backen am Sonntag, heute Käsekuchen und Apfelkuchen"],
        2: ["Kuchenbuffet beim Sommerfest, bitte mitbringen"],
        1: ["Rezept für Streusel, mit Butter und Zimt"],
    }, ["Kuchen", "Apfelkuchen"]),
    ("de", "wanderung", {
        3: ["Bergwanderung im Allgäu: die Wanderung dauert sechs Stunden",
            "Wanderung zum See, Wanderschuhe nicht vergessen"],
        2: ["Wir wandern am Samstag durch den Schwarzwald"],
        1: ["Gipfelkreuz erreicht, Aussicht bis zu den Alpen"],
    }, ["Wanderung", "Bergwanderung"]),
    ("de", "schluessel", {
        3: ["Hausschlüssel verloren! Wer hat einen Schlüssel gefunden?",
            "Schlüsseldienst kommt erst morgen, Schlüssel steckt innen"],
        2: ["Der Schlüsselbund lag im Auto"],
        1: ["Tür zu, ich stehe draußen im Regen"],
    }, ["Schlüssel", "Hausschlüssel", "schluessel"]),
    ("zh", "beijing", {
        3: ["我们周末去北京看长城，北京的秋天很美", "北京烤鸭真好吃，下次还来北京"],
        2: ["从上海坐高铁到北京只要四个多小时"],
        1: ["故宫和天安门广场人很多"],
    }, ["北京"]),
    ("zh", "hotpot", {
        3: ["今晚吃火锅！重庆火锅特别辣", "火锅店排队两个小时，火锅底料很香"],
        2: ["冬天最适合和朋友一起吃火锅了"],
        1: ["麻辣烫和串串香也不错"],
    }, ["火锅"]),
    ("zh", "greatwall", {
        3: ["长城徒步：慕田峪长城风景最好", "第一次爬长城，长城真的很长"],
        2: ["八达岭的长城游客太多了"],
        1: ["万里之外的烽火台，历史悠久"],
    }, ["长城"]),
    ("zh", "panda", {
        3: ["成都看熊猫，熊猫宝宝太可爱了", "大熊猫基地早上去，熊猫最活跃"],
        2: ["保护熊猫的栖息地很重要"],
        1: ["竹子是它们最喜欢的食物"],
    }, ["熊猫"]),
    ("zh", "tea", {
        3: ["下午喝茶，龙井茶很清香", "茶馆里听评书，一壶茶坐一下午"],
        2: ["普洱和乌龙，你喜欢哪种茶"],
        1: ["茶叶要放在干燥的地方"],
    }, ["茶"]),
    ("ja", "hanami", {
        3: ["週末は上野公園で花見をしました。花見の季節です", "花見弁当を作って、みんなで花見"],
        2: ["夜桜の花見は寒いけど綺麗"],
        1: ["桜が満開、公園は人でいっぱい"],
    }, ["花見"]),
    ("ja", "tokyo", {
        3: ["東京タワーに行きました。東京の夜景は最高", "東京駅から新幹線で京都へ、東京は雨"],
        2: ["来月、東京で友達に会います"],
        1: ["渋谷のスクランブル交差点はすごい人"],
    }, ["東京"]),
    ("ja", "sakura", {
        3: ["桜が咲いた！桜並木を散歩", "桜の写真を撮りに行こう、桜色の空"],
        2: ["八重桜はもう少し先です"],
        1: ["春の花がいっぱいの公園"],
    }, ["桜"]),
    ("ja", "ramen", {
        3: ["ラーメン屋の新店、味噌ラーメンが絶品", "深夜のラーメンは危険、でもラーメン最高"],
        2: ["博多のとんこつラーメンを食べたい"],
        1: ["替え玉を頼んでしまった"],
    }, ["ラーメン"]),
    ("ja", "fuji", {
        3: ["富士山に登りました、富士山頂の日の出", "富士山が見えるカフェ、晴れた日の富士山"],
        2: ["新幹線の窓から富士山"],
        1: ["五合目まではバスで行けます"],
    }, ["富士山", "富士"]),
    ("ar", "coffee", {
        3: ["القهوة العربية مع التمر، أفضل القهوة في الصباح", "محل القهوة الجديد يقدم قهوة تركية"],
        2: ["قَهْوَة بالهيل بعد الغداء"],
        1: ["فنجان صغير مع الحلويات"],
    }, ["القهوة", "قهوة"]),
    ("ar", "cairo", {
        3: ["رحلة إلى القاهرة، القاهرة مدينة لا تنام", "المتحف المصري في القاهرة رائع"],
        2: ["من الإسكندرية إلى القاهرة بالقطار"],
        1: ["النيل عند الغروب جميل جدا"],
    }, ["القاهرة"]),
    ("ar", "football", {
        3: ["مباراة كرة القدم الليلة، كرة القدم حياتي", "فريق كرة القدم في المدرسة فاز"],
        2: ["الكرة في الملعب والجمهور يهتف"],
        1: ["هدف في الدقيقة الأخيرة"],
    }, ["كرة القدم"]),
    ("ar", "school", {
        3: ["أول يوم في المدرسة، المدرسة جديدة", "مَدْرَسَة الحي تحتاج متطوعين"],
        2: ["مدرسة اللغة العربية تفتح أبوابها"],
        1: ["الطلاب والمعلمون في الصف"],
    }, ["مدرسة", "المدرسة"]),
    ("tags", "hashtag-hiking", {
        3: ["Sunday loop with the crew #hiking #outdoors", "#hiking season is open, who's in?"],
        2: ["Boots on, trails calling #hike"],
        1: ["Mountains all weekend, no signal #outdoors"],
    }, ["#hiking"]),
    ("tags", "hashtag-jazz", {
        3: ["Late set at the Blue Room #jazz", "#jazz trio tonight, bring friends"],
        2: ["Saxophone solo gave me chills, jazz forever"],
        1: ["Vinyl night: Coltrane and Monk #music"],
    }, ["#jazz", "jazz"]),
    ("tags", "emoji-party", {
        3: ["Birthday party tonight 🎉🎉", "🎉 We did it! Launch party at 8 🎉"],
        2: ["Party at the rooftop, bring snacks 🥳"],
        1: ["Celebration dinner with the team 🍾"],
    }, ["🎉", "party 🎉"]),
    ("tags", "emoji-coffee", {
        3: ["Morning ☕ and a good book", "☕☕ third cup, send help"],
        2: ["Coffee break ☕ with the team"],
        1: ["Espresso machine finally fixed"],
    }, ["☕"]),
]  # fmt: skip

DISTRACTORS = [
    "The ridge between the two valleys is covered in fog today",
    "Meeting notes: budget, roadmap, and the office plants",
    "Anyone selling a used bike? Mine was stolen last night",
    "The library extended its opening hours for exam season",
    "Lost cat near the station, grey with a white tail",
    "Trains delayed again, signal failure near the bridge",
    "Weekly market: apples, cheese, honey and fresh flowers",
    "New podcast episode about city planning is out",
    "Recipe swap next Tuesday, bring something spicy",
    "Concert tickets sold out in four minutes",
    "Power cut on the east side until noon",
    "Volunteers needed for the river clean-up",
    "The museum has free entry on the first Sunday",
    "Trying to learn the guitar, my fingers hurt",
    "Board game night: we played six rounds of cards",
    "Snow tomorrow, the schools might close",
    "Cinema club shows a silent film with live piano",
    "Quiet afternoon with tea and a long novel",
    "Football scores from the weekend, a draw again",
    "The old tram depot becomes a food hall",
    "Das Wetter in Köln ist heute grau und nass",
    "Der Markt am Samstag hat frisches Gemüse",
    "Ich suche eine Wohnung in der Nähe vom Bahnhof",
    "Konzert im Park fällt wegen Regen aus",
    "今天天气很好，我们去公园散步",
    "上海的地铁很方便",
    "明天要开会，准备资料",
    "今日は雨です。家で映画を見ます",
    "京都のお寺は静かでいい",
    "新しいカフェがオープンしました",
    "الطقس حار جدا اليوم",
    "السوق مزدحم في نهاية الأسبوع",
    "Le marché du samedi est très animé",
    "La playa estaba llena de gente",
    "Photos from the wedding are finally online",
    "The bakery closed early, no croissants",
    "Hiking boots for sale, size 42, barely used",
    "Chess is on TV tonight, a world championship rematch",
    "Gardening tools: the shed is a mess",
    "Marathon road closures on Sunday morning",
]


def build() -> tuple[list[dict], dict]:
    docs: list[dict] = []
    when = iter(START + timedelta(hours=7 * i) for i in range(10_000))

    def add(kind: str, ident: str, title: str, text: str, lang: str) -> None:
        docs.append({"id": ident, "type": kind, "lang": lang, "title": title, "text": text,
                     "created_at": next(when).isoformat()})  # fmt: skip

    for i, (name, lang) in enumerate(USERS):
        add("users", f"user-{i:02d}", name, name, lang)
    for i, (name, lang) in enumerate(GROUPS):
        add("groups", f"group-{i:02d}", name, name, lang)
    judgements: dict[str, dict] = {}
    for lang, topic, graded, queries in TOPICS:
        grades = {}
        for grade, texts in graded.items():
            for j, text in enumerate(texts):
                ident = f"post-{topic}-{grade}{j}"
                add("posts", ident, post_name(text), text, lang)
                grades[ident] = grade
        for query in queries:
            judgements[f"posts|{query}"] = {"lang": lang, "type": "posts", "query": query,
                                            "grades": grades}  # fmt: skip
    for i, text in enumerate(DISTRACTORS * 3):
        text = f"{text} ({i // 40 + 1})"
        add("posts", f"post-other-{i:03d}", post_name(text), text, "en")
    _people_and_groups(judgements)
    return docs, judgements


def _people_and_groups(judgements: dict) -> None:
    people = {
        "Zoe Muller": ("accents", {"user-03": 3}), "zoë": ("accents", {"user-03": 3}),
        "Jose Garcia": ("accents", {"user-04": 3}), "francois": ("accents", {"user-05": 3}),
        "Jürgen": ("de", {"user-07": 3}), "Grossmann": ("de", {"user-07": 3}),
        "王小明": ("zh", {"user-09": 3}), "李华": ("zh", {"user-10": 3}),
        "山田": ("ja", {"user-12": 3}), "花子": ("ja", {"user-13": 3}),
        "محمد": ("ar", {"user-15": 3}), "احمد": ("ar", {"user-17": 3}),
        "Ada": ("en", {"user-00": 3}), "turing": ("en", {"user-02": 3}),
    }  # fmt: skip
    groups = {
        "hiking": ("en", {"group-00": 3}), "zurich": ("accents", {"group-00": 3}),
        "cafe": ("accents", {"group-03": 3}), "creme brulee": ("accents", {"group-04": 3}),
        "fussball": ("de", {"group-06": 3}), "Verein": ("de", {"group-06": 3}),
        "Strassenbahn": ("de", {"group-07": 3}), "火锅": ("zh", {"group-09": 3}),
        "熊猫": ("zh", {"group-10": 3}), "花見": ("ja", {"group-11": 3}),
        "ラーメン": ("ja", {"group-12": 3}), "富士山": ("ja", {"group-13": 3}),
        "القهوة": ("ar", {"group-14": 3}), "القاهرة": ("ar", {"group-15": 3}),
        "#photography": ("tags", {"group-16": 3}), "🎉": ("tags", {"group-17": 3}),
    }  # fmt: skip
    for kind, table in (("users", people), ("groups", groups)):
        for query, (lang, grades) in table.items():
            judgements[f"{kind}|{query}"] = {"lang": lang, "type": kind, "query": query,
                                             "grades": grades}  # fmt: skip


def main() -> None:
    docs, judgements = build()
    (HERE / "corpus.json").write_text(json.dumps(docs, ensure_ascii=False, indent=1) + "\n")
    (HERE / "judgements.json").write_text(
        json.dumps(judgements, ensure_ascii=False, indent=1) + "\n"
    )
    print(f"{len(docs)} documents, {len(judgements)} judged queries")


if __name__ == "__main__":
    main()
