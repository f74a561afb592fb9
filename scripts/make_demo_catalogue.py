"""Writes the demo content catalogue, assets/demo/catalogue.json, from the texts held here, then
draws its pictures with make_demo_images.py (which also fills in every image hash and alt text).

Run from the repository root:  .venv/bin/python scripts/make_demo_catalogue.py
Every maker, product and outlet here is fictional; places and holidays are real.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "demo" / "catalogue.json"
PORTAL = "https://madeinoman.om"


def t(en: str, ar: str) -> dict[str, str]:
    return {"ar": ar, "en": en}


# ---------------------------------------------------------------------------------------------
# Categories: id, code prefix, English name, Arabic name, English line, Arabic line

CATEGORIES = [
    ("dates_food", "DT", "Dates and food", "التمور والأغذية",
     "Omani dates, date syrup, dried lime, sea salt and other foods.",
     "التمور العمانية ودبس التمر والليمون المجفف وملح البحر وأغذية أخرى."),
    ("frankincense_perfume", "FR", "Frankincense and perfume", "اللبان والعطور",
     "Frankincense from Dhofar, incense, perfume oils and rose water.",
     "اللبان من ظفار والبخور ودهن العود وماء الورد والعطور."),
    ("cosmetics", "CS", "Cosmetics and personal care", "مستحضرات التجميل والعناية الشخصية",
     "Soaps, creams, henna and hair care made with Omani ingredients.",
     "صابون وكريمات وحناء ومنتجات للعناية بالشعر من مكونات عمانية."),
    ("handicrafts_silver", "HC", "Handicrafts and silver", "الحرف اليدوية والفضيات",
     "Silver, pottery, palm-frond weaving and woodwork made by hand.",
     "الفضة والفخار وسعف النخيل والمشغولات الخشبية المصنوعة باليد."),
    ("textiles", "TX", "Textiles and clothing", "المنسوجات والملابس",
     "Embroidered caps, robes, turbans and woven rugs.",
     "الكمة المطرزة والدشداشة والمصر والسجاد المنسوج."),
    ("fisheries", "FS", "Fisheries and seafood", "الأسماك والمأكولات البحرية",
     "Fresh, frozen, dried and canned fish from Oman's seas.",
     "أسماك طازجة ومجمدة ومجففة ومعلبة من بحار عُمان."),
    ("honey_dairy", "HD", "Honey and dairy", "العسل ومنتجات الألبان",
     "Mountain honey, camel milk, laban, cheese and ghee.",
     "عسل الجبال وحليب الإبل واللبن والجبن والسمن."),
    ("halwa_sweets", "HL", "Omani halwa and sweets", "الحلوى العمانية",
     "Omani halwa cooked slowly with sugar, ghee, saffron and nuts.",
     "الحلوى العمانية المطبوخة على مهل بالسكر والسمن والزعفران والمكسرات."),
    ("beverages", "BV", "Coffee and drinks", "القهوة والمشروبات",
     "Omani coffee with cardamom, spring water and fruit drinks.",
     "القهوة العمانية بالهيل ومياه الينابيع والعصائر."),
    ("building_materials", "BM", "Building materials", "مواد البناء",
     "Cement, blocks, stone, marble and steel for building.",
     "الإسمنت والطابوق والحجر والرخام وحديد التسليح."),
    ("industry", "IN", "Industry and manufacturing", "الصناعة والتصنيع",
     "Pumps, pipes, tanks, cables and metal profiles made in Omani factories.",
     "مضخات وأنابيب وخزانات وكوابل ومقاطع معدنية من مصانع عمانية."),
]

GOVERNORATES = [
    ("muscat", "Muscat", "مسقط"),
    ("dhofar", "Dhofar", "ظفار"),
    ("musandam", "Musandam", "مسندم"),
    ("al_buraimi", "Al Buraimi", "البريمي"),
    ("ad_dakhiliyah", "Ad Dakhiliyah", "الداخلية"),
    ("al_batinah_north", "North Al Batinah", "شمال الباطنة"),
    ("al_batinah_south", "South Al Batinah", "جنوب الباطنة"),
    ("ash_sharqiyah_north", "North Ash Sharqiyah", "شمال الشرقية"),
    ("ash_sharqiyah_south", "South Ash Sharqiyah", "جنوب الشرقية"),
    ("ad_dhahirah", "Ad Dhahirah", "الظاهرة"),
    ("al_wusta", "Al Wusta", "الوسطى"),
]

CERTIFICATIONS = [
    ("made_in_oman", "Made in Oman mark", "علامة صُنع في عُمان",
     "The national mark for products made in Oman. It is given after the product and its maker are checked.",
     "العلامة الوطنية للمنتجات المصنوعة في عُمان، وتُمنح بعد التحقق من المنتج والجهة المصنّعة."),
    ("halal", "Halal", "حلال",
     "Made and handled according to halal rules, checked by an approved body.",
     "صُنع وحُفظ وفق اشتراطات الحلال، وتحققت من ذلك جهة معتمدة."),
    ("organic", "Organic", "عضوي",
     "Grown without chemical fertilisers or pesticides, checked by an approved body.",
     "زُرع دون أسمدة كيميائية أو مبيدات، وتحققت من ذلك جهة معتمدة."),
    ("gso", "GSO conformity", "مطابقة المواصفات الخليجية",
     "Meets the Gulf standards for safety and quality (GSO).",
     "يطابق المواصفات القياسية الخليجية للسلامة والجودة."),
    ("iso9001", "ISO 9001 quality management", "إدارة الجودة ISO 9001",
     "The maker runs a certified quality management system (ISO 9001).",
     "تطبّق الجهة المصنّعة نظامًا معتمدًا لإدارة الجودة وفق ISO 9001."),
    ("handmade", "Handmade in Oman", "صناعة يدوية عمانية",
     "Made by hand by Omani craftspeople.",
     "صنعه حرفيون عمانيون بأيديهم."),
]

# ---------------------------------------------------------------------------------------------
# Places to buy that several makers share: key -> (English name, Arabic name, English address,
# Arabic address)

PLACES = {
    "mutrah": ("Mutrah Souq", "سوق مطرح", "Mutrah Corniche, Muscat", "كورنيش مطرح، مسقط"),
    "nizwa": ("Nizwa Souq", "سوق نزوى", "Beside Nizwa Fort, Ad Dakhiliyah", "بجوار قلعة نزوى، الداخلية"),
    "haffa": ("Al Haffa Souq", "سوق الحافة", "Al Haffa, Salalah, Dhofar", "الحافة، صلالة، ظفار"),
    "showroom": ("Made in Oman Showroom", "معرض صُنع في عُمان",
                 "Ground floor, Madinat Al Irfan, Muscat", "الطابق الأرضي، مدينة العرفان، مسقط"),
    "sohar": ("Sohar Souq", "سوق صحار", "Old town, Sohar, North Al Batinah",
              "البلدة القديمة، صحار، شمال الباطنة"),
    "sinaw": ("Sinaw Souq", "سوق سناو", "Sinaw, North Ash Sharqiyah", "سناو، شمال الشرقية"),
    "fishmarket": ("Mutrah Fish Market", "سوق السمك بمطرح", "Mutrah Corniche, Muscat",
                   "كورنيش مطرح، مسقط"),
    "builders": ("Ghala Builders' Market", "سوق غلا لمواد البناء", "Ghala Industrial Area, Muscat",
                 "منطقة غلا الصناعية، مسقط"),
    "ibri": ("Ibri Souq", "سوق عبري", "Old town, Ibri, Ad Dhahirah", "البلدة القديمة، عبري، الظاهرة"),
}

# ---------------------------------------------------------------------------------------------
# Manufacturers (all fictional): id, governorate, English name, Arabic name, English description,
# Arabic description, shop address (en, ar), shared place key or None

MAKERS = [
    ("wadi_kabir_perfumes", "muscat", "Wadi Al Kabir Perfume House", "دار وادي الكبير للعطور",
     "A family perfume house that blends oud, rose and frankincense. It has made perfumes in Muscat for three generations.",
     "دار عطور عائلية تمزج العود والورد واللبان، وتصنع العطور في مسقط منذ ثلاثة أجيال.",
     ("Wadi Al Kabir, Mutrah, Muscat", "وادي الكبير، مطرح، مسقط"), "mutrah"),
    ("mawaleh_sweets", "muscat", "Al Mawaleh Halwa Kitchen", "مطبخ الموالح للحلوى",
     "A kitchen that cooks Omani halwa every day in large copper pots. The recipes are old family recipes.",
     "مطبخ يطبخ الحلوى العمانية كل يوم في قدور نحاسية كبيرة، على وصفات عائلية قديمة.",
     ("Al Mawaleh, As Seeb, Muscat", "الموالح، السيب، مسقط"), "showroom"),
    ("rusayl_precision", "muscat", "Rusayl Precision Industries", "رسيل للصناعات الدقيقة",
     "A factory that makes water pumps, electric cables and small machine parts. It tests every product before it leaves.",
     "مصنع ينتج مضخات المياه والكوابل الكهربائية وقطع الآلات الصغيرة، ويختبر كل منتج قبل خروجه من المصنع.",
     ("Rusayl Industrial Estate, Muscat", "منطقة الرسيل الصناعية، مسقط"), "builders"),
    ("hojari_groves", "dhofar", "Hojari Groves Frankincense", "بساتين الحوجري للبان",
     "A Dhofar company that harvests and sorts frankincense from the trees of the Nejd. It also makes frankincense oil and soap.",
     "شركة من ظفار تجني اللبان من أشجار النجد وتفرزه، وتصنع منه أيضًا الزيت العطري والصابون.",
     ("Al Saada, Salalah, Dhofar", "السعادة، صلالة، ظفار"), "haffa"),
    ("mirbat_sea_harvest", "dhofar", "Mirbat Sea Harvest", "حصاد مرباط البحري",
     "Fishers from Mirbat who collect abalone and catch lobster in the season allowed by law.",
     "صيادون من مرباط يجمعون الصفيلح ويصطادون الشارخة في الموسم الذي يسمح به القانون.",
     ("Fishing harbour, Mirbat, Dhofar", "ميناء الصيد، مرباط، ظفار"), "haffa"),
    ("salalah_pastures", "dhofar", "Salalah Green Pastures", "مراعي صلالة الخضراء",
     "A farm near Salalah with camels and coconut palms. It makes camel milk, coconut oil and camel milk soap.",
     "مزرعة قرب صلالة فيها إبل ونخيل جوز الهند، تنتج حليب الإبل وزيت جوز الهند وصابون حليب الإبل.",
     ("Awqad, Salalah, Dhofar", "عوقد، صلالة، ظفار"), None),
    ("khasab_catch", "musandam", "Khasab Bay Catch", "صيد خليج خصب",
     "A fishing company in Khasab. Its boats bring in hammour and kingfish from the waters of Musandam.",
     "شركة صيد في خصب، تجلب قواربها الهامور والكنعد من مياه مسندم.",
     ("Khasab Harbour, Musandam", "ميناء خصب، مسندم"), "fishmarket"),
    ("ruus_al_jibal_crafts", "musandam", "Ru'us Al Jibal Crafts", "حرف رؤوس الجبال",
     "Craftspeople from the mountains of Musandam who make the jerz walking axe and woven goat-hair goods.",
     "حرفيون من جبال مسندم يصنعون الجرز ومنسوجات شعر الماعز.",
     ("Bukha Road, Khasab, Musandam", "طريق بخا، خصب، مسندم"), None),
    ("buraimi_oasis_dates", "al_buraimi", "Buraimi Oasis Date Farms", "مزارع واحة البريمي للتمور",
     "Date farms in the Buraimi oasis, watered by the old falaj. They pack dates by hand.",
     "مزارع نخيل في واحة البريمي تسقيها الأفلاج القديمة، وتُعبّأ تمورها باليد.",
     ("Al Buraimi oasis, Al Buraimi", "واحة البريمي، البريمي"), "showroom"),
    ("mahdah_stone", "al_buraimi", "Mahdah Stone and Marble", "محضة للحجر والرخام",
     "A quarry and works that cut stone and marble and make concrete blocks and paving stones.",
     "محجر ومصنع يقطع الحجر والرخام، وينتج الطابوق الإسمنتي وبلاط الأرصفة.",
     ("Mahdah, Al Buraimi", "محضة، البريمي"), "builders"),
    ("nizwa_silver_guild", "ad_dakhiliyah", "Nizwa Silversmiths' Workshop", "ورشة صاغة نزوى للفضة",
     "Silversmiths in Nizwa who make khanjars, bracelets and small boxes by hand, as their fathers did.",
     "صاغة في نزوى يصنعون الخناجر والأساور والعلب الصغيرة بأيديهم كما كان يفعل آباؤهم.",
     ("Silver lane, Nizwa Souq, Ad Dakhiliyah", "زقاق الفضة، سوق نزوى، الداخلية"), "nizwa"),
    ("bahla_clay", "ad_dakhiliyah", "Bahla Clay Workshop", "مشغل بهلاء للفخار",
     "Potters in Bahla who shape local clay on the wheel and fire it in a wood kiln.",
     "خزّافون في بهلاء يشكّلون الطين المحلي على الدولاب ويحرقونه في فرن يعمل بالحطب.",
     ("Near Bahla Fort, Ad Dakhiliyah", "قرب قلعة بهلاء، الداخلية"), "nizwa"),
    ("jabal_akhdar_roses", "ad_dakhiliyah", "Al Jabal Al Akhdar Rose Water", "ماء الورد من الجبل الأخضر",
     "Farmers on Al Jabal Al Akhdar who pick Damask roses in spring and distil them the old way.",
     "مزارعون في الجبل الأخضر يقطفون الورد الدمشقي في الربيع ويقطّرونه بالطريقة القديمة.",
     ("Al Ayn village, Al Jabal Al Akhdar, Ad Dakhiliyah", "قرية العين، الجبل الأخضر، الداخلية"), "nizwa"),
    ("samail_valley_farms", "ad_dakhiliyah", "Samail Valley Farms", "مزارع وادي سمائل",
     "Farms in Wadi Samail that grow dates and make date syrup and date halwa.",
     "مزارع في وادي سمائل تزرع النخيل، وتصنع دبس التمر وحلوى التمر.",
     ("Samail, Ad Dakhiliyah", "سمائل، الداخلية"), "nizwa"),
    ("saham_farms", "al_batinah_north", "Saham Farms", "مزارع صحم",
     "Farms on the Batinah coast that grow Khalas dates and Omani limes.",
     "مزارع على ساحل الباطنة تزرع تمر الخلاص والليمون العماني.",
     ("Saham, North Al Batinah", "صحم، شمال الباطنة"), "sohar"),
    ("liwa_metal_works", "al_batinah_north", "Liwa Metal Works", "ليوا للأعمال المعدنية",
     "A factory near Sohar that rolls steel bars and makes aluminium profiles and solar panel frames.",
     "مصنع قرب صحار يدرفل حديد التسليح، وينتج مقاطع الألمنيوم وهياكل الألواح الشمسية.",
     ("Sohar Industrial Estate, North Al Batinah", "منطقة صحار الصناعية، شمال الباطنة"), "builders"),
    ("shinas_loom", "al_batinah_north", "Shinas Loom and Tailoring House", "بيت شناص للنسيج والخياطة",
     "A weaving and tailoring house in Shinas that makes turbans, dishdashas and woven rugs.",
     "بيت للنسيج والخياطة في شناص يصنع المصار والدشاديش والسجاد المنسوج.",
     ("Shinas, North Al Batinah", "شناص، شمال الباطنة"), "sohar"),
    ("rustaq_honey", "al_batinah_south", "Rustaq Mountain Honey", "عسل جبال الرستاق",
     "Beekeepers who keep their hives among the sidr and samar trees of the Rustaq mountains.",
     "نحّالون يضعون خلاياهم بين أشجار السدر والسمر في جبال الرستاق.",
     ("Rustaq, South Al Batinah", "الرستاق، جنوب الباطنة"), "showroom"),
    ("barka_dairy", "al_batinah_south", "Barka Fresh Dairy", "ألبان بركاء الطازجة",
     "A dairy in Barka that makes laban, fresh cheese and ghee from the milk of local farms.",
     "مصنع ألبان في بركاء ينتج اللبن والجبن الطازج والسمن من حليب المزارع المحلية.",
     ("Barka, South Al Batinah", "بركاء، جنوب الباطنة"), None),
    ("nakhal_springs", "al_batinah_south", "Nakhal Springs", "ينابيع نخل",
     "A drinks company near the Nakhal hot springs that bottles water and fruit drinks.",
     "شركة مشروبات قرب عيون نخل الحارة، تعبّئ المياه والعصائر.",
     ("Nakhal, South Al Batinah", "نخل، جنوب الباطنة"), None),
    ("ibra_textiles", "ash_sharqiyah_north", "Ibra Women's Textile Cooperative", "تعاونية نساء إبراء للنسيج",
     "A cooperative of women in Ibra who embroider caps and dresses by hand.",
     "تعاونية لنساء من إبراء يطرّزن الكمة والثياب بأيديهن.",
     ("Wednesday Women's Souq, Ibra, North Ash Sharqiyah", "سوق الأربعاء للنساء، إبراء، شمال الشرقية"), "sinaw"),
    ("mudhaibi_coffee", "ash_sharqiyah_north", "Al Mudhaibi Coffee Roasters", "محمصة المضيبي للقهوة",
     "A coffee roaster in Al Mudhaibi that roasts and grinds coffee the Omani way, with cardamom.",
     "محمصة في المضيبي تحمّص القهوة وتطحنها على الطريقة العمانية مع الهيل.",
     ("Al Mudhaibi, North Ash Sharqiyah", "المضيبي، شمال الشرقية"), "sinaw"),
    ("wadi_bani_khalid_naturals", "ash_sharqiyah_north", "Wadi Bani Khalid Naturals", "طبيعيات وادي بني خالد",
     "A small workshop that grinds henna and sidr leaves and makes natural hair care.",
     "مشغل صغير يطحن الحناء وورق السدر، ويصنع منتجات طبيعية للعناية بالشعر.",
     ("Wadi Bani Khalid, North Ash Sharqiyah", "وادي بني خالد، شمال الشرقية"), "sinaw"),
    ("sur_fisheries", "ash_sharqiyah_south", "Sur Coast Fisheries", "مصايد ساحل صور",
     "A fishing company in Sur that dries sardines and small fish in the sun, as the coast has done for centuries.",
     "شركة صيد في صور تجفف السردين والأسماك الصغيرة في الشمس، كما يفعل أهل الساحل منذ قرون.",
     ("Fishing harbour, Sur, South Ash Sharqiyah", "ميناء الصيد، صور، جنوب الشرقية"), "fishmarket"),
    ("jaalan_cement", "ash_sharqiyah_south", "Ja'alan Cement Works", "مصنع جعلان للإسمنت",
     "A cement works that makes Portland cement and gypsum plaster for builders across Oman.",
     "مصنع إسمنت ينتج الإسمنت البورتلاندي وجص البناء للبنّائين في أنحاء عُمان.",
     ("Jalan Bani Bu Ali, South Ash Sharqiyah", "جعلان بني بو علي، جنوب الشرقية"), "builders"),
    ("ibri_heritage_crafts", "ad_dhahirah", "Ibri Heritage Crafts", "حرفيات عبري التراثية",
     "Craftspeople in Ibri who weave baskets from palm fronds and make wooden chests with brass nails.",
     "حرفيون في عبري ينسجون السلال من سعف النخيل ويصنعون المندوس الخشبي المزيّن بالمسامير النحاسية.",
     ("Old town, Ibri, Ad Dhahirah", "البلدة القديمة، عبري، الظاهرة"), "ibri"),
    ("dhank_plastics", "ad_dhahirah", "Dhank Plastics Factory", "مصنع ضنك للبلاستيك",
     "A factory in Dhank that makes water pipes, water tanks and food boxes from plastic.",
     "مصنع في ضنك ينتج أنابيب المياه وخزانات المياه وعلب الطعام من البلاستيك.",
     ("Dhank, Ad Dhahirah", "ضنك، الظاهرة"), "builders"),
    ("duqm_ocean_foods", "al_wusta", "Duqm Ocean Foods", "أغذية الدقم البحرية",
     "A seafood plant in Duqm that freezes and cans fish caught in the Arabian Sea.",
     "مصنع أغذية بحرية في الدقم يجمّد ويعلّب الأسماك المصطادة من بحر العرب.",
     ("Fishing port, Duqm, Al Wusta", "ميناء الصيد، الدقم، الوسطى"), "fishmarket"),
    ("mahout_salt_works", "al_wusta", "Mahout Sea Salt Works", "ملاحات محوت",
     "Salt pans on the coast of Mahout where sea water dries in the sun into clean salt.",
     "ملاحات على ساحل محوت يجف فيها ماء البحر تحت الشمس فيصير ملحًا نقيًا.",
     ("Mahout, Al Wusta", "محوت، الوسطى"), None),
]

# ---------------------------------------------------------------------------------------------
# Products. P(id, category, maker, English name, Arabic name, English description, Arabic
# description, certifications, extra place keys)

PRODUCTS: list[dict] = []

STD = ("made_in_oman",)
FOOD = ("made_in_oman", "halal")


def P(pid, cat, maker, en, ar, den, dar, certs=STD, places=None):  # noqa: N802
    PRODUCTS.append(dict(id=pid, cat=cat, maker=maker, en=en, ar=ar, den=den, dar=dar,
                         certs=certs, places=places))


# Dates and food
P("khalas-dates-1kg", "dates_food", "saham_farms",
  "Khalas dates, 1 kg box", "تمر الخلاص، علبة 1 كغ",
  "Soft golden-brown Khalas dates from the Batinah coast. They are sweet, like caramel. Keep the box in a cool, dry place.",
  "تمر خلاص ذهبي بني طري من ساحل الباطنة، حلو المذاق كالكراميل. احفظ العلبة في مكان بارد وجاف.",
  FOOD)
P("khalas-harvest-2025", "dates_food", "saham_farms",
  "Khalas Dates Harvest 2025", "تمور الخلاص موسم 2025",
  "Khalas dates picked in the summer of 2025 and packed the same week. Each box shows the farm and the day of packing.",
  "تمور خلاص قُطفت في صيف 2025 وعُبّئت في الأسبوع نفسه. على كل علبة اسم المزرعة ويوم التعبئة.",
  FOOD)
P("fard-dates", "dates_food", "samail_valley_farms",
  "Fard dates, 2 kg", "تمر الفرض، 2 كغ",
  "Dark, firm Fard dates from Wadi Samail. They keep well for months and are good for travel.",
  "تمر الفرض الداكن المتماسك من وادي سمائل. يبقى جيدًا شهورًا طويلة ويصلح للسفر.",
  FOOD)
P("khunaizi-dates", "dates_food", "buraimi_oasis_dates",
  "Khunaizi dates, red-brown", "تمر الخنيزي الأحمر",
  "Khunaizi dates from the Buraimi oasis. They are red-brown, soft and not too sweet.",
  "تمر الخنيزي من واحة البريمي، لونه أحمر بني، طري وحلاوته معتدلة.",
  FOOD)
P("stuffed-dates-almond", "dates_food", "buraimi_oasis_dates",
  "Dates stuffed with almonds", "تمر محشو باللوز",
  "Soft dates filled by hand with roasted almonds. A gift box of 24 pieces.",
  "تمر طري محشو باليد باللوز المحمص. علبة هدايا فيها 24 حبة.",
  FOOD)
P("date-syrup", "dates_food", "samail_valley_farms",
  "Date syrup (dibs), 400 g", "دبس التمر، 400 غرام",
  "Thick, dark syrup pressed from ripe dates, with nothing added. Pour it on bread, porridge or yoghurt.",
  "عصارة كثيفة داكنة من التمر الناضج، دون أي إضافات. تُسكب على الخبز أو العصيدة أو اللبن.",
  ("made_in_oman", "halal", "organic"))
P("date-paste", "dates_food", "saham_farms",
  "Date paste for baking, 1 kg", "معجون التمر للمخبوزات، 1 كغ",
  "Smooth paste made from pitted dates. Bakers use it to fill maamoul and cakes.",
  "معجون ناعم من تمر منزوع النوى، يستخدمه الخبازون في حشو المعمول والكعك.",
  FOOD)
P("dried-lime", "dates_food", "saham_farms",
  "Dried Omani lime (loomi)", "ليمون عماني مجفف (لومي)",
  "Small limes dried whole in the sun until they turn dark. They give rice and soups a sour, fresh taste.",
  "ليمون صغير يُجفف كاملًا في الشمس حتى يصبح داكنًا، ويعطي الأرز والشوربات طعمًا حامضًا منعشًا.",
  FOOD)
P("sea-salt", "dates_food", "mahout_salt_works",
  "Mahout sea salt, 1 kg", "ملح بحري من محوت، 1 كغ",
  "Sea salt dried by the sun on the coast of Al Wusta. It is washed and packed without additives.",
  "ملح بحري جففته الشمس على ساحل الوسطى، يُغسل ويُعبأ دون مواد مضافة.",
  FOOD)
P("date-sesame-bars", "dates_food", "samail_valley_farms",
  "Date and sesame bars", "أصابع التمر بالسمسم",
  "Bars of date paste rolled in toasted sesame. A simple snack for school and work.",
  "أصابع من عجينة التمر مغطاة بالسمسم المحمص، وجبة خفيفة بسيطة للمدرسة والعمل.",
  FOOD)

# Frankincense and perfume
P("hojari-frankincense", "frankincense_perfume", "hojari_groves",
  "Hojari frankincense, premium grade", "اللُّبان الحوجري الفاخر",
  "Large, pale green tears of Hojari frankincense from the Nejd of Dhofar. Burn a small piece on charcoal, or soak it in water to drink.",
  "حبات كبيرة خضراء فاتحة من اللبان الحوجري من نجد ظفار. ضع قطعة صغيرة على الجمر، أو انقعها في الماء لتشربه.",
  ("made_in_oman", "handmade"))
P("najdi-frankincense", "frankincense_perfume", "hojari_groves",
  "Najdi frankincense, 250 g", "لبان نجدي، 250 غرام",
  "Golden frankincense from the dry Nejd plateau. It gives a warm, clean smoke for the home.",
  "لبان ذهبي من هضبة النجد الجافة، يعطي البيت دخانًا دافئًا نقيًا.",
  ("made_in_oman",))
P("frankincense-oil", "frankincense_perfume", "hojari_groves",
  "Frankincense essential oil, 10 ml", "زيت اللبان العطري، 10 مل",
  "Pure oil steam-distilled from Dhofar frankincense. Use a few drops in a diffuser. Do not swallow.",
  "زيت نقي مقطّر بالبخار من لبان ظفار. ضع بضع قطرات في جهاز الفواحة، ولا تبتلعه.",
  ("made_in_oman", "gso"))
P("frankincense-gift-box", "frankincense_perfume", "hojari_groves",
  "Frankincense gift box with clay burner", "علبة هدايا لبان مع مبخرة فخارية",
  "Three kinds of frankincense in small jars, with a clay burner and charcoal. A gift that shows the scent of Dhofar.",
  "ثلاثة أنواع من اللبان في برطمانات صغيرة، مع مبخرة فخارية وفحم. هدية تحمل رائحة ظفار.",
  ("made_in_oman", "handmade"))
P("aseel-perfume", "frankincense_perfume", "wadi_kabir_perfumes",
  "Aseel eau de parfum, 100 ml", "عطر أصيل، 100 مل",
  "A warm perfume with rose, oud and a little frankincense. It lasts all day on skin and clothes.",
  "عطر دافئ فيه الورد والعود وقليل من اللبان، يدوم طوال اليوم على البشرة والملابس.",
  ("made_in_oman", "gso"))
P("oud-oil", "frankincense_perfume", "wadi_kabir_perfumes",
  "Oud perfume oil, 12 ml", "دهن العود، 12 مل",
  "Concentrated oud oil in a small glass bottle. One drop on the wrist is enough.",
  "دهن عود مركّز في قارورة زجاجية صغيرة، تكفي منه قطرة واحدة على المعصم.",
  ("made_in_oman",))
P("bakhoor-mix", "frankincense_perfume", "wadi_kabir_perfumes",
  "Bakhoor incense chips, 50 g", "بخور معمول، 50 غرام",
  "Wood chips soaked in perfume oils, sugar and musk. Burn them on charcoal to scent the house for guests.",
  "رقائق خشب منقوعة في دهن العطر والسكر والمسك، تُوضع على الجمر لتعطير البيت للضيوف.",
  ("made_in_oman",))
P("rose-water", "frankincense_perfume", "jabal_akhdar_roses",
  "Al Jabal Al Akhdar rose water, 250 ml", "ماء ورد الجبل الأخضر، 250 مل",
  "Rose water distilled from Damask roses picked in April. Use it in sweets, in coffee, or on the face.",
  "ماء ورد مقطّر من الورد الدمشقي المقطوف في أبريل، يُستخدم في الحلويات والقهوة وعلى الوجه.",
  ("made_in_oman", "organic"))

# Cosmetics and personal care
P("frankincense-hand-cream", "cosmetics", "wadi_kabir_perfumes",
  "Frankincense hand cream, 75 ml", "كريم اليدين باللبان، 75 مل",
  "A rich hand cream with frankincense oil and shea butter. It softens dry hands and smells gently of incense.",
  "كريم غني لليدين بزيت اللبان وزبدة الشيا، ينعّم اليدين الجافتين ورائحته لطيفة كالبخور.",
  ("made_in_oman", "gso"))
P("frankincense-olive-soap", "cosmetics", "hojari_groves",
  "Frankincense and olive oil soap", "صابون اللبان وزيت الزيتون",
  "A hand-made soap bar with olive oil and ground frankincense. It is mild enough to use every day.",
  "صابونة مصنوعة باليد من زيت الزيتون واللبان المطحون، لطيفة تصلح للاستعمال اليومي.",
  ("made_in_oman", "handmade"))
P("camel-milk-soap", "cosmetics", "salalah_pastures",
  "Camel milk soap", "صابون حليب الإبل",
  "Soap made with fresh camel milk from our farm in Salalah. It is gentle on dry and sensitive skin.",
  "صابون مصنوع من حليب الإبل الطازج من مزرعتنا في صلالة، لطيف على البشرة الجافة والحساسة.",
  ("made_in_oman", "handmade"))
P("coconut-hair-oil", "cosmetics", "salalah_pastures",
  "Salalah coconut hair oil, 200 ml", "زيت جوز الهند للشعر من صلالة، 200 مل",
  "Cold-pressed oil from Salalah coconuts. Rub a little into the hair and leave it for an hour before washing.",
  "زيت معصور على البارد من جوز هند صلالة. ادهن به الشعر قليلًا واتركه ساعة قبل الغسل.",
  ("made_in_oman", "organic"))
P("rose-face-mist", "cosmetics", "jabal_akhdar_roses",
  "Rose face mist, 100 ml", "رذاذ الورد للوجه، 100 مل",
  "Pure rose water in a spray bottle. Spray it on the face to feel fresh on hot days.",
  "ماء ورد نقي في قارورة رذاذ، يُرش على الوجه للانتعاش في الأيام الحارة.",
  ("made_in_oman", "organic"))
P("henna-powder", "cosmetics", "wadi_bani_khalid_naturals",
  "Natural henna powder, 250 g", "مسحوق الحناء الطبيعي، 250 غرام",
  "Fine green henna ground from Omani leaves, with nothing added. Mix it with warm water for hands or hair.",
  "حناء خضراء ناعمة مطحونة من أوراق عمانية دون أي إضافات. اخلطها بالماء الدافئ لليدين أو الشعر.",
  ("made_in_oman", "organic"))
P("sidr-shampoo", "cosmetics", "wadi_bani_khalid_naturals",
  "Sidr leaf shampoo, 300 ml", "شامبو ورق السدر، 300 مل",
  "A mild shampoo made with ground sidr leaves, as grandmothers washed their hair. Good for every hair type.",
  "شامبو لطيف بورق السدر المطحون، كما كانت الجدات يغسلن شعورهن. يناسب جميع أنواع الشعر.",
  ("made_in_oman", "gso"))
P("oud-body-lotion", "cosmetics", "wadi_kabir_perfumes",
  "Oud body lotion W-250", "لوشن الجسم بالعود W-250",
  "A light body lotion with the scent of oud. Model W-250 comes in a 250 ml pump bottle.",
  "لوشن خفيف للجسم برائحة العود. الطراز W-250 في قارورة بمضخة سعتها 250 مل.",
  ("made_in_oman", "gso"))

# Handicrafts and silver
P("silver-khanjar", "handicrafts_silver", "nizwa_silver_guild",
  "Omani silver khanjar with belt", "خنجر عماني فضي مع الحزام",
  "A traditional khanjar with a curved sheath covered in fine silver work. Each one takes a silversmith about three weeks.",
  "خنجر تقليدي بغمد معقوف تكسوه نقوش فضية دقيقة. يستغرق صنع الواحد نحو ثلاثة أسابيع من عمل الصائغ.",
  ("made_in_oman", "handmade"))
P("silver-bracelets", "handicrafts_silver", "nizwa_silver_guild",
  "Pair of silver bracelets", "زوج من الأساور الفضية",
  "Two heavy silver bracelets decorated with small balls of silver, in the old Nizwa style.",
  "سواران ثقيلان من الفضة مزينان بحبيبات فضية صغيرة، على الطراز النزواني القديم.",
  ("made_in_oman", "handmade"))
P("silver-kohl-box", "handicrafts_silver", "nizwa_silver_guild",
  "Silver kohl container", "مكحلة من الفضة",
  "A small silver box for kohl with a dome lid. It makes a lasting gift for a bride.",
  "علبة فضية صغيرة للكحل بغطاء على شكل قبة، هدية تدوم للعروس.",
  ("made_in_oman", "handmade"))
P("bahla-water-jar", "handicrafts_silver", "bahla_clay",
  "Bahla clay water jar (jahla)", "جحلة بهلاء الفخارية",
  "A round clay jar that keeps drinking water cool without electricity. Shaped on the wheel and fired in Bahla.",
  "جرة فخارية مستديرة تحفظ ماء الشرب باردًا دون كهرباء، مشكّلة على الدولاب ومحروقة في بهلاء.",
  ("made_in_oman", "handmade"))
P("bahla-incense-burner", "handicrafts_silver", "bahla_clay",
  "Clay incense burner (mijmar)", "مجمر فخاري للبخور",
  "A painted clay burner for frankincense and bakhoor. The base stays cool enough to carry.",
  "مجمر فخاري ملوّن للبان والبخور، تبقى قاعدته باردة بما يكفي لحمله.",
  ("made_in_oman", "handmade"))
P("palm-frond-basket", "handicrafts_silver", "ibri_heritage_crafts",
  "Palm-frond basket with handle", "سلة من سعف النخيل بمقبض",
  "A strong basket woven from dried palm fronds, with coloured bands. Use it for shopping or for dates.",
  "سلة متينة منسوجة من سعف النخيل المجفف بخطوط ملونة، تصلح للتسوق أو لحفظ التمر.",
  ("made_in_oman", "handmade"))
P("mandoos-chest", "handicrafts_silver", "ibri_heritage_crafts",
  "Wooden mandoos chest with brass nails", "مندوس خشبي بمسامير نحاسية",
  "A wooden chest decorated with rows of brass nails, made to keep clothes and keepsakes. It has a lock and key.",
  "صندوق خشبي تزينه صفوف من المسامير النحاسية، يُصنع لحفظ الملابس والتذكارات، وله قفل ومفتاح.",
  ("made_in_oman", "handmade"))
P("jerz-walking-axe", "handicrafts_silver", "ruus_al_jibal_crafts",
  "Jerz walking axe from Musandam", "الجرز المسندمي",
  "The jerz is a long walking stick with a small axe head, carried by the men of the Musandam mountains. This one is made for display and dance.",
  "الجرز عصا طويلة برأس فأس صغير يحملها رجال جبال مسندم. هذه القطعة مصنوعة للعرض وللفنون الشعبية.",
  ("made_in_oman", "handmade"))

# Textiles and clothing
P("ibra-kummah-long", "textiles", "ibra_textiles",
  "Hand-embroidered Omani kummah cap in white cotton with traditional geometric and floral patterns, stitched over many days by the women of the Ibra textile cooperative, in a gift box with a card",
  "كمة عمانية تقليدية من القطن الأبيض مطرزة باليد بنقوش هندسية وزهرية متوارثة، خاطتها على مدى أيام طويلة نساء تعاونية إبراء للنسيج، وتُقدَّم في علبة هدايا أنيقة مع بطاقة",
  "A white cotton cap covered with fine hand embroidery. One cap takes many days of work. It comes in a gift box with a card about the woman who made it.",
  "كمة من القطن الأبيض تغطيها تطريزات يدوية دقيقة، ويستغرق صنع الواحدة أيامًا من العمل. تأتي في علبة هدايا مع بطاقة تعرّف بالمرأة التي صنعتها.",
  ("made_in_oman", "handmade"))
P("kummah-cap", "textiles", "ibra_textiles",
  "Embroidered kummah cap, everyday", "كمة مطرزة للاستعمال اليومي",
  "A light cotton cap with machine and hand embroidery. It is easy to wash and keeps its shape.",
  "كمة قطنية خفيفة بتطريز آلي ويدوي، سهلة الغسل وتحافظ على شكلها.",
  ("made_in_oman",))
P("womens-dress", "textiles", "ibra_textiles",
  "Women's embroidered dress", "ثوب نسائي مطرز",
  "A long dress in deep red with silver thread embroidery on the chest and sleeves. It is worn at weddings and Eid.",
  "ثوب طويل باللون الأحمر الداكن مطرز بخيوط فضية على الصدر والأكمام، يُلبس في الأعراس والأعياد.",
  ("made_in_oman", "handmade"))
P("mens-dishdasha", "textiles", "shinas_loom",
  "Men's white dishdasha", "دشداشة رجالية بيضاء",
  "A long white robe in soft cotton, cut and sewn in Shinas. The tassel at the neck is in the Omani style.",
  "دشداشة بيضاء طويلة من القطن الناعم، فُصّلت وخيطت في شناص، وفيها الفراخة على الطريقة العمانية.",
  ("made_in_oman",))
P("mussar-turban", "textiles", "shinas_loom",
  "Wool mussar turban", "مصر صوف",
  "A patterned wool cloth that men wrap around the head. It is woven on the loom with fringed ends.",
  "قطعة صوف منقوشة يلفّها الرجال على رؤوسهم، منسوجة على النول وأطرافها مهدّبة.",
  ("made_in_oman", "handmade"))
P("woven-rug", "textiles", "shinas_loom",
  "Hand-woven rug, 120 x 180 cm", "سجادة منسوجة يدويًا، 120 × 180 سم",
  "A rug woven from sheep wool in red, black and cream. The diamond patterns are old Bedouin designs.",
  "سجادة منسوجة من صوف الغنم بالأحمر والأسود والكريمي، ونقوشها المعيّنة من التصاميم البدوية القديمة.",
  ("made_in_oman", "handmade"))
P("goat-hair-mat", "textiles", "ruus_al_jibal_crafts",
  "Goat-hair floor mat", "بساط من شعر الماعز",
  "A strong dark mat woven from goat hair in the mountains of Musandam. It lasts for years.",
  "بساط داكن متين منسوج من شعر الماعز في جبال مسندم، يدوم سنوات طويلة.",
  ("made_in_oman", "handmade"))

# Fisheries and seafood
P("kingfish-steaks", "fisheries", "duqm_ocean_foods",
  "Frozen kingfish steaks, 1 kg", "شرائح سمك الكنعد المجمدة، 1 كغ",
  "Kingfish caught in the Arabian Sea, cut into steaks and frozen the same day. Good for grilling or curry.",
  "سمك كنعد مصطاد من بحر العرب، مقطّع شرائح ومجمّد في اليوم نفسه. مناسب للشواء أو للمرق.",
  FOOD)
P("tuna-in-oil", "fisheries", "duqm_ocean_foods",
  "Yellowfin tuna in sunflower oil, 160 g", "تونة صفراء الزعانف بزيت دوار الشمس، 160 غرام",
  "Pieces of yellowfin tuna packed in Duqm. Open the tin and use it in salads and sandwiches.",
  "قطع من التونة صفراء الزعانف معبأة في الدقم. افتح العلبة واستعملها في السلطات والشطائر.",
  ("made_in_oman", "halal", "gso"))
P("whole-tuna-frozen", "fisheries", "duqm_ocean_foods",
  "Whole frozen tuna", "تونة كاملة مجمدة",
  "Whole tuna, cleaned and frozen quickly to keep it fresh. Sold by weight to restaurants and shops.",
  "تونة كاملة منظفة ومجمدة بسرعة لتبقى طازجة، تُباع بالوزن للمطاعم والمحلات.",
  FOOD)
P("dried-sardines", "fisheries", "sur_fisheries",
  "Sun-dried sardines (awal), 1 kg", "سردين مجفف (عومة)، 1 كغ",
  "Small sardines dried in the sun on the beach of Sur. They are cooked with rice or used for animal feed.",
  "سردين صغير جُفّف في الشمس على شاطئ صور، يُطبخ مع الأرز أو يُستعمل علفًا للحيوانات.",
  FOOD)
P("dried-anchovy", "fisheries", "sur_fisheries",
  "Dried small fish (qashie), 500 g", "سمك القاشع المجفف، 500 غرام",
  "Tiny dried fish with a strong taste, loved in the coastal kitchen. Fry them or add them to sauces.",
  "أسماك صغيرة مجففة ذات طعم قوي يحبها أهل الساحل، تُقلى أو تُضاف إلى الصلصات.",
  FOOD)
P("fresh-hammour", "fisheries", "khasab_catch",
  "Fresh hammour, whole", "هامور طازج كامل",
  "Hammour caught by line in the waters of Musandam and sold on ice the same day.",
  "هامور مصطاد بالخيط من مياه مسندم، يُباع على الثلج في اليوم نفسه.",
  FOOD)
P("smoked-kingfish", "fisheries", "khasab_catch",
  "Smoked kingfish fillets, 300 g", "فيليه كنعد مدخن، 300 غرام",
  "Kingfish fillets smoked slowly over wood in Khasab. Ready to eat with bread or rice.",
  "فيليه سمك الكنعد مدخّن على مهل فوق الحطب في خصب، جاهز للأكل مع الخبز أو الأرز.",
  FOOD)
P("dhofar-abalone", "fisheries", "mirbat_sea_harvest",
  "Dhofar abalone, dried", "صفيلح ظفار المجفف",
  "Abalone gathered by divers off Mirbat in the short legal season, then cleaned and dried. A rare delicacy.",
  "صفيلح يجمعه الغواصون قبالة مرباط في موسمه القانوني القصير، ثم يُنظف ويجفف. طبق نادر وثمين.",
  FOOD)
P("dhofar-lobster", "fisheries", "mirbat_sea_harvest",
  "Frozen spiny lobster tails", "ذيول الشارخة المجمدة",
  "Lobster tails from the Dhofar coast, frozen after the catch. Grill them with lime and garlic.",
  "ذيول الشارخة من ساحل ظفار، مجمدة بعد الصيد. اشوها مع الليمون والثوم.",
  FOOD)

# Honey and dairy
P("sidr-honey-500g", "honey_dairy", "rustaq_honey",
  "Sidr honey, 500 g", "عسل سدر 500 غرام",
  "Thick, dark honey from bees that feed on sidr flowers in the Rustaq mountains. It is collected once a year, in autumn.",
  "عسل كثيف داكن من نحل يتغذى على زهر السدر في جبال الرستاق، ويُجنى مرة واحدة في السنة في الخريف.",
  ("made_in_oman", "organic"))
P("samar-honey", "honey_dairy", "rustaq_honey",
  "Samar honey, 250 g", "عسل السمر، 250 غرام",
  "Honey from the flowers of the samar tree. It has a strong, slightly bitter taste and a dark colour.",
  "عسل من زهر شجر السمر، طعمه قوي يميل إلى المرارة ولونه داكن.",
  ("made_in_oman",))
P("camel-milk", "honey_dairy", "salalah_pastures",
  "Fresh camel milk, 1 litre", "حليب إبل طازج، 1 لتر",
  "Pasteurised camel milk from our herd near Salalah. Keep it in the fridge and drink it within five days.",
  "حليب إبل مبستر من قطيعنا قرب صلالة. احفظه في الثلاجة واشربه خلال خمسة أيام.",
  ("made_in_oman", "halal", "gso"))
P("laban-drink", "honey_dairy", "barka_dairy",
  "Laban, 1 litre", "لبن، 1 لتر",
  "A cool, slightly sour milk drink made fresh every morning in Barka. Good with dates or with lunch.",
  "مشروب لبن بارد حامض قليلًا، يُصنع طازجًا كل صباح في بركاء. يُشرب مع التمر أو مع الغداء.",
  ("made_in_oman", "halal", "iso9001"))
P("fresh-white-cheese", "honey_dairy", "barka_dairy",
  "Fresh white cheese, 400 g", "جبن أبيض طازج، 400 غرام",
  "A soft, mild white cheese for breakfast. Eat it within a week of opening.",
  "جبن أبيض طري خفيف الطعم للفطور، يُؤكل خلال أسبوع من فتح العلبة.",
  ("made_in_oman", "halal", "iso9001"))
P("local-ghee", "honey_dairy", "barka_dairy",
  "Local ghee (samn baladi), 1 kg", "سمن بلدي، 1 كغ",
  "Golden ghee made by slowly heating butter from cow's milk. It gives rice and halwa their rich taste.",
  "سمن ذهبي يُصنع بتسخين زبدة حليب البقر على مهل، ويعطي الأرز والحلوى طعمهما الغني.",
  FOOD)

# Omani halwa and sweets
P("saffron-halwa", "halwa_sweets", "mawaleh_sweets",
  "Omani halwa with saffron, 1 kg", "حلوى عمانية بالزعفران، 1 كغ",
  "Dark, soft halwa cooked for hours with sugar, ghee, rose water and saffron. Serve it warm with Omani coffee.",
  "حلوى داكنة طرية تُطبخ ساعات بالسكر والسمن وماء الورد والزعفران. قدّمها دافئة مع القهوة العمانية.",
  FOOD)
P("nut-halwa", "halwa_sweets", "mawaleh_sweets",
  "Halwa with cashews and almonds", "حلوى بالكاجو واللوز",
  "Our classic halwa with roasted cashews and almonds mixed in. A favourite for Eid visits.",
  "حلوانا التقليدية ممزوجة بالكاجو واللوز المحمص، المفضلة في زيارات العيد.",
  FOOD)
P("halwa-clay-pot", "halwa_sweets", "mawaleh_sweets",
  "Halwa in a Bahla clay pot, 500 g", "حلوى في قدر فخاري من بهلاء، 500 غرام",
  "Halwa packed in a small clay pot made in Bahla. After the halwa is eaten, the pot can be kept.",
  "حلوى معبأة في قدر فخاري صغير من صنع بهلاء، ويمكن الاحتفاظ بالقدر بعد أكل الحلوى.",
  FOOD)
P("date-halwa", "halwa_sweets", "samail_valley_farms",
  "Date halwa, no added sugar", "حلوى التمر بدون سكر مضاف",
  "Halwa sweetened only with dates from Wadi Samail, cooked with ghee and cardamom.",
  "حلوى محلاة بتمر وادي سمائل وحده، مطبوخة بالسمن والهيل.",
  FOOD)
P("halwa-sugar-free-x200", "halwa_sweets", "mawaleh_sweets",
  "Light halwa HL-X200, less sugar", "حلوى خفيفة HL-X200 قليلة السكر",
  "A lighter halwa with half the sugar of our classic recipe. The code HL-X200 on the lid helps you find it again.",
  "حلوى أخف فيها نصف سكر وصفتنا التقليدية. الرمز HL-X200 على الغطاء يساعدك على إيجادها مرة أخرى.",
  FOOD)

# Coffee and drinks
P("omani-coffee-cardamom", "beverages", "mudhaibi_coffee",
  "Omani coffee with cardamom, 500 g", "قهوة عمانية بالهيل، 500 غرام",
  "Lightly roasted coffee ground with cardamom, ready to boil in the dallah. Serve it in small cups with dates.",
  "قهوة محمصة تحميصًا خفيفًا ومطحونة مع الهيل، جاهزة للغلي في الدلة. تُقدّم في فناجين صغيرة مع التمر.",
  FOOD)
P("coffee-beans-light", "beverages", "mudhaibi_coffee",
  "Light roast coffee beans, 1 kg", "حبوب قهوة بتحميص خفيف، 1 كغ",
  "Whole coffee beans roasted light for Omani coffee. Grind them at home just before you make coffee.",
  "حبوب قهوة كاملة محمصة تحميصًا خفيفًا للقهوة العمانية. اطحنها في البيت قبل التحضير مباشرة.",
  FOOD)
P("coffee-saffron-rose", "beverages", "mudhaibi_coffee",
  "Omani coffee with saffron and rose water", "قهوة عمانية بالزعفران وماء الورد",
  "A festive coffee blend with cardamom, saffron and a touch of rose water from Al Jabal Al Akhdar.",
  "خلطة قهوة للمناسبات بالهيل والزعفران ولمسة من ماء ورد الجبل الأخضر.",
  FOOD)
P("spring-water", "beverages", "nakhal_springs",
  "Nakhal spring water, 1.5 litres", "مياه ينابيع نخل، 1.5 لتر",
  "Natural water from the foot of the Hajar mountains, filtered and bottled at the source.",
  "مياه طبيعية من سفوح جبال الحجر، مرشحة ومعبأة من المصدر.",
  ("made_in_oman", "gso", "iso9001"))
P("lime-mint-drink", "beverages", "nakhal_springs",
  "Lime and mint drink, 330 ml", "مشروب الليمون والنعناع، 330 مل",
  "A cold drink of fresh Omani lime and mint. It is lightly sweet and best served cold.",
  "مشروب بارد من الليمون العماني الطازج والنعناع، حلاوته خفيفة ويُقدّم باردًا.",
  ("made_in_oman", "halal", "gso"))
P("mango-juice", "beverages", "nakhal_springs",
  "Batinah mango juice, 1 litre", "عصير مانجو الباطنة، 1 لتر",
  "Juice pressed from ripe mangoes grown on the Batinah coast, with no colours added.",
  "عصير معصور من المانجو الناضجة المزروعة على ساحل الباطنة، دون ألوان مضافة.",
  ("made_in_oman", "halal", "gso"))
P("frankincense-water", "beverages", "hojari_groves",
  "Frankincense water, 500 ml", "ماء اللبان، 500 مل",
  "Water in which Hojari frankincense has been soaked, as families in Dhofar drink it each morning.",
  "ماء نُقع فيه اللبان الحوجري، كما تشربه الأسر في ظفار كل صباح.",
  ("made_in_oman", "gso"))

# Building materials
P("hollow-blocks-20cm", "building_materials", "mahdah_stone",
  "Concrete hollow blocks, 20 cm", "طابوق إسمنتي مجوف، 20 سم",
  "Strong hollow blocks for walls, made and cured in Mahdah. Each block is tested for strength.",
  "طابوق مجوف متين للجدران، يُصنع ويُعالج في محضة، ويُختبر كل طابوق لمعرفة قوته.",
  ("made_in_oman", "gso"))
P("paving-stones", "building_materials", "mahdah_stone",
  "Interlocking paving stones, red", "بلاط أرصفة متداخل، أحمر",
  "Paving stones that lock together for paths, yards and car parks. They do not crack in the summer heat.",
  "بلاط يتداخل بعضه في بعض للممرات والأحواش ومواقف السيارات، ولا يتشقق في حر الصيف.",
  ("made_in_oman", "gso"))
P("marble-tiles", "building_materials", "mahdah_stone",
  "White marble floor tiles, 60 x 60 cm", "بلاط رخام أبيض للأرضيات، 60 × 60 سم",
  "Polished white marble with soft grey veins, cut from Omani stone.",
  "رخام أبيض مصقول بعروق رمادية خفيفة، مقطوع من حجر عماني.",
  ("made_in_oman",))
P("cut-stone", "building_materials", "mahdah_stone",
  "Sand-coloured cut stone for facades", "حجر مقطوع بلون الرمل للواجهات",
  "Natural stone cut into blocks to face the outside walls of houses and mosques.",
  "حجر طبيعي مقطوع قطعًا لكسوة الجدران الخارجية للبيوت والمساجد.",
  ("made_in_oman",))
P("portland-cement", "building_materials", "jaalan_cement",
  "Ordinary Portland cement OPC 42.5N, 50 kg", "إسمنت بورتلاندي عادي OPC 42.5N، كيس 50 كغ",
  "General cement for concrete, blocks and plaster. Keep the bags dry and off the ground.",
  "إسمنت عام للخرسانة والطابوق واللياسة. احفظ الأكياس في مكان جاف وبعيدًا عن الأرض.",
  ("made_in_oman", "gso", "iso9001"))
P("sulphate-resistant-cement", "building_materials", "jaalan_cement",
  "Sulphate-resistant cement, 50 kg", "إسمنت مقاوم للكبريتات، 50 كغ",
  "Cement for foundations near the sea and in salty ground, where ordinary cement wears away.",
  "إسمنت للأساسات القريبة من البحر وفي الأرض المالحة، حيث يتآكل الإسمنت العادي.",
  ("made_in_oman", "gso", "iso9001"))
P("gypsum-plaster", "building_materials", "jaalan_cement",
  "Gypsum plaster, 25 kg", "جص البناء، 25 كغ",
  "Fine white plaster for smooth inside walls and ceilings. Mix it with clean water and use it within half an hour.",
  "جص أبيض ناعم للجدران الداخلية والأسقف الملساء. اخلطه بماء نظيف واستعمله خلال نصف ساعة.",
  ("made_in_oman", "gso"))
P("steel-rebar-12mm", "building_materials", "liwa_metal_works",
  "Steel rebar B500B, 12 mm", "حديد التسليح B500B قطر 12 ملم",
  "Ribbed steel bars for reinforced concrete, sold in 12 metre lengths. Rolled in Sohar from Omani steel.",
  "قضبان حديد مضلعة للخرسانة المسلحة، تُباع بطول 12 مترًا، ومدرفلة في صحار من حديد عماني.",
  ("made_in_oman", "gso", "iso9001"))

# Industry and manufacturing
P("water-pump-x200", "industry", "rusayl_precision",
  "AquaFlow X200 water pump", "مضخة مياه AquaFlow X200",
  "An electric pump that lifts water from a ground tank to the roof tank. The X200 model is quiet and uses little power.",
  "مضخة كهربائية ترفع الماء من الخزان الأرضي إلى خزان السطح. الطراز X200 هادئ وقليل استهلاك الكهرباء.",
  ("made_in_oman", "gso", "iso9001"))
P("copper-cable", "industry", "rusayl_precision",
  "Copper electric cable 4 mm², 100 m", "كابل كهربائي نحاسي 4 مم²، 100 متر",
  "Insulated copper cable for homes and shops, on a 100 metre coil. Installation must be done by a licensed electrician.",
  "كابل نحاسي معزول للبيوت والمحلات، في لفة طولها 100 متر. يجب أن يركّبه كهربائي مرخّص.",
  ("made_in_oman", "gso", "iso9001"))
P("gear-parts", "industry", "rusayl_precision",
  "Machine gears made to order", "تروس آلات حسب الطلب",
  "Steel gears cut to the drawings of factories and workshops. Send the size and the number you need.",
  "تروس فولاذية تُقطع حسب رسومات المصانع والورش. أرسل المقاس والعدد الذي تحتاجه.",
  ("made_in_oman", "iso9001"))
P("aluminium-window", "industry", "liwa_metal_works",
  "Aluminium sliding window frame", "إطار نافذة منزلقة من الألمنيوم",
  "Aluminium window frames made to measure, with seals that keep out dust and heat.",
  "إطارات نوافذ من الألمنيوم تُصنع حسب المقاس، بعوازل تمنع دخول الغبار والحرارة.",
  ("made_in_oman", "gso"))
P("solar-frame", "industry", "liwa_metal_works",
  "Solar panel mounting frame", "هيكل تثبيت الألواح الشمسية",
  "Galvanised steel frames that hold solar panels on roofs and on the ground. They are built for strong wind.",
  "هياكل من الحديد المجلفن تثبّت الألواح الشمسية على الأسطح وعلى الأرض، ومصممة لتحمّل الرياح القوية.",
  ("made_in_oman", "gso"))
P("pvc-pipes-110mm", "industry", "dhank_plastics",
  "PVC water pipes, 110 mm", "أنابيب PVC للمياه قطر 110 ملم",
  "Strong plastic pipes for water and drainage, in 6 metre lengths.",
  "أنابيب بلاستيكية متينة للمياه والصرف، بطول 6 أمتار.",
  ("made_in_oman", "gso", "iso9001"))
P("water-tank-2000l", "industry", "dhank_plastics",
  "Plastic water tank, 2000 litres", "خزان مياه بلاستيكي، 2000 لتر",
  "A roof tank with three layers that keep the water clean and out of the sun. Safe for drinking water.",
  "خزان للسطح بثلاث طبقات تحفظ الماء نظيفًا وبعيدًا عن الشمس، وآمن لمياه الشرب.",
  ("made_in_oman", "gso", "iso9001"))
P("food-boxes", "industry", "dhank_plastics",
  "Food boxes with lids, pack of 50", "علب طعام بأغطية، عبوة 50 علبة",
  "Food-safe plastic boxes for restaurants and home kitchens. They can go in the microwave.",
  "علب بلاستيكية آمنة للطعام للمطاعم ومطابخ البيوت، ويمكن وضعها في الميكروويف.",
  ("made_in_oman", "gso"))

# END PRODUCTS

# ---------------------------------------------------------------------------------------------
# News: id, date, English title, Arabic title, English summary, Arabic summary, English body,
# Arabic body

NEWS_ITEMS = [
    ("kiosks-read-aloud", "2026-11-25",
     "New kiosks read every screen aloud", "أجهزة خدمة ذاتية جديدة تقرأ كل شاشة بصوت مسموع",
     "Made in Oman kiosks in malls and ministry halls can now read every screen aloud in Arabic and English.",
     "أصبحت أجهزة صُنع في عُمان في المراكز التجارية وقاعات الوزارات تقرأ كل شاشة بصوت مسموع بالعربية والإنجليزية.",
     "The new kiosks were designed with elderly visitors and persons with disabilities. Every screen can be read aloud, the text can be made larger, and all controls can be moved to the lower part of the screen for wheelchair users. The kiosks do not ask for your name. When you leave, the kiosk forgets everything you did.",
     "صُممت الأجهزة الجديدة بمشاركة كبار السن والأشخاص ذوي الإعاقة. يمكن قراءة كل شاشة بصوت مسموع، وتكبير النص، ونقل جميع الأزرار إلى الجزء السفلي من الشاشة لمستخدمي الكراسي المتحركة. لا تطلب الأجهزة اسمك، وعندما تغادر ينسى الجهاز كل ما فعلته."),
    ("national-day-exhibition", "2026-11-10",
     "Omani products on show for National Day", "المنتجات العمانية في معرض العيد الوطني",
     "More than 150 Omani makers show their products at the National Day exhibition in Muscat.",
     "أكثر من 150 جهة مصنّعة عمانية تعرض منتجاتها في معرض العيد الوطني بمسقط.",
     "The exhibition is open every evening from 12 to 22 November. Visitors can taste dates and halwa, watch silversmiths and potters at work, and meet the people behind Omani brands. Entry is free, and the halls have ramps, seats and accessible toilets.",
     "يفتح المعرض أبوابه كل مساء من 12 إلى 22 نوفمبر. يستطيع الزوار تذوق التمور والحلوى، ومشاهدة صاغة الفضة والخزافين وهم يعملون، والتعرف على أصحاب العلامات العمانية. الدخول مجاني، وفي القاعات منحدرات ومقاعد ودورات مياه مهيأة."),
    ("frankincense-season", "2026-10-05",
     "Frankincense harvest ends in Dhofar", "انتهاء موسم جني اللبان في ظفار",
     "Harvesters in Dhofar report a good season, with clean, large tears of Hojari frankincense.",
     "يتحدث جامعو اللبان في ظفار عن موسم جيد وحبات كبيرة نقية من اللبان الحوجري.",
     "The frankincense trees rest in the cooler months after the harvest. This year's frankincense is now being sorted by size and colour. The best grades reach shops in Salalah and Muscat in November.",
     "ترتاح أشجار اللبان في الأشهر الأبرد بعد الجني. ويجري الآن فرز لبان هذا العام حسب الحجم واللون، وتصل أجود الأنواع إلى محلات صلالة ومسقط في نوفمبر."),
    ("mark-application-simpler", "2026-09-01",
     "Applying for the Made in Oman mark is now simpler", "طلب علامة صُنع في عُمان أصبح أسهل",
     "Makers can now apply for the mark online in one form. Most answers come in about 10 working days.",
     "أصبح بإمكان المصنّعين طلب العلامة إلكترونيًا من خلال نموذج واحد، وتصل معظم الردود خلال نحو 10 أيام عمل.",
     "The new form asks only for the documents that are needed. You can save it and come back later. You can follow your application on the portal, and you get a message at each step. Ask the call centre on 80000070 if you need help.",
     "يطلب النموذج الجديد المستندات اللازمة فقط، ويمكنك حفظه والعودة إليه لاحقًا. تستطيع متابعة طلبك على البوابة، وتصلك رسالة عند كل خطوة. اتصل بمركز الاتصال على الرقم 80000070 إذا احتجت إلى مساعدة."),
    ("open-data-products", "2026-07-20",
     "The product list is now open data", "قائمة المنتجات متاحة الآن بيانات مفتوحة",
     "Anyone can now download the list of Omani products as a file, free of charge.",
     "يستطيع أي شخص الآن تنزيل قائمة المنتجات العمانية في ملف، مجانًا.",
     "The list has every product on the portal with its maker, governorate and category. It comes in two common file types, JSON and CSV, and is updated with each new version of the content. You may use it in your own work if you name the portal as the source.",
     "تضم القائمة كل منتج في البوابة مع الجهة المصنّعة والمحافظة والفئة، وتأتي بصيغتين شائعتين هما JSON وCSV، وتُحدَّث مع كل إصدار جديد من المحتوى. يمكنك استخدامها في عملك بشرط ذكر البوابة مصدرًا لها."),
    ("craft-makers-join", "2026-05-12",
     "Craftspeople from five governorates join the portal", "حرفيون من خمس محافظات ينضمون إلى البوابة",
     "Silversmiths, potters and weavers now show their work on the portal alongside factories.",
     "أصبح صاغة الفضة والخزافون والنساجون يعرضون أعمالهم في البوابة إلى جانب المصانع.",
     "Small workshops from Ad Dakhiliyah, Ad Dhahirah, Musandam, North Al Batinah and North Ash Sharqiyah have joined the portal. Each product page says where you can buy the piece. Many of these crafts are made by women working from home.",
     "انضمت إلى البوابة ورش صغيرة من الداخلية والظاهرة ومسندم وشمال الباطنة وشمال الشرقية، وتبيّن صفحة كل منتج أين يمكن شراؤه. وكثير من هذه الحرف تصنعها نساء يعملن من بيوتهن."),
    ("dates-market-nizwa", "2026-02-18",
     "Date farmers' market in Nizwa", "سوق مزارعي التمور في نزوى",
     "Date farmers from across Oman sell directly to visitors in Nizwa every Friday morning in February and March.",
     "يبيع مزارعو التمور من أنحاء عُمان محاصيلهم للزوار مباشرة في نزوى صباح كل جمعة في فبراير ومارس.",
     "The market is in the square beside the fort. Farmers bring Khalas, Fard, Khunaizi and many other kinds of dates, as well as date syrup and halwa. There is shade, seating and help for visitors who need it.",
     "يقام السوق في الساحة المجاورة للقلعة، ويحمل إليه المزارعون الخلاص والفرض والخنيزي وأنواعًا كثيرة أخرى من التمور، ومعها دبس التمر والحلوى. وتتوفر في السوق الظلال والمقاعد والمساعدة لمن يحتاجها من الزوار."),
]

NEWS = [
    {"id": i, "published_on": d, "title": t(ten, tar), "summary": t(sen, sar), "body": t(ben, bar)}
    for i, d, ten, tar, sen, sar, ben, bar in NEWS_ITEMS
]

# ---------------------------------------------------------------------------------------------
# Frequently asked questions: id, English question, Arabic question, English answer, Arabic answer

FAQ_ITEMS = [
    ("hear-screen", "How can I hear what is on the screen?", "كيف أستمع إلى ما على الشاشة؟",
     "Touch the speaker button at the bottom of the screen and the kiosk reads the whole screen aloud. You can also touch any single item to hear only that item. In the settings you can make the voice slower, faster, louder or quieter.",
     "المس زر السماعة أسفل الشاشة، فيقرأ الجهاز الشاشة كلها بصوت مسموع. ويمكنك أيضًا لمس أي عنصر لتسمعه وحده. ومن الإعدادات يمكنك جعل الصوت أبطأ أو أسرع أو أعلى أو أخفض."),
    ("text-size", "How do I make the text bigger?", "كيف أكبّر النص؟",
     "Open the settings at the bottom of the screen and choose a larger text size. You can change it at any time. When you leave, the kiosk goes back to the normal size for the next visitor.",
     "افتح الإعدادات أسفل الشاشة واختر حجمًا أكبر للنص، ويمكنك تغييره في أي وقت. وعندما تغادر يعود الجهاز إلى الحجم العادي للزائر التالي."),
    ("contrast", "Can I change the colours of the screen?", "هل يمكنني تغيير ألوان الشاشة؟",
     "Yes. In the settings you can choose a high-contrast theme, such as light text on a dark background. Choose the one that is easiest for your eyes.",
     "نعم. يمكنك من الإعدادات اختيار نمط عالي التباين، مثل نص فاتح على خلفية داكنة. اختر الأريح لعينيك."),
    ("wheelchair", "I use a wheelchair. Can I reach all the buttons?", "أستخدم كرسيًا متحركًا، فهل أصل إلى كل الأزرار؟",
     "Yes. Turn on reach mode in the settings and all the controls move to the lower part of the screen. The kiosk also has a keypad with large keys that works without looking at the screen.",
     "نعم. فعّل وضع سهولة الوصول من الإعدادات فتنتقل جميع الأزرار إلى الجزء السفلي من الشاشة. وفي الجهاز أيضًا لوحة مفاتيح بأزرار كبيرة تعمل دون النظر إلى الشاشة."),
    ("language", "How do I change the language?", "كيف أغيّر اللغة؟",
     "Touch the language button, which is on every screen, to switch between Arabic and English. Everything, including the voice, changes at once.",
     "المس زر اللغة الموجود في كل شاشة للتبديل بين العربية والإنجليزية، فيتغير كل شيء فورًا بما في ذلك الصوت."),
    ("no-hurry", "Will the kiosk rush me?", "هل سيستعجلني الجهاز؟",
     "No. Take all the time you need. If nobody touches the kiosk for a while, it asks whether you are still there before it starts again for the next visitor.",
     "لا. خذ كل الوقت الذي تحتاجه. وإذا لم يلمس أحد الجهاز مدة من الزمن، فإنه يسألك هل ما زلت موجودًا قبل أن يبدأ من جديد للزائر التالي."),
    ("apply-mark", "How does a maker apply for the Made in Oman mark?", "كيف تتقدم الجهة المصنّعة بطلب علامة صُنع في عُمان؟",
     "The maker fills in the application form on the portal and uploads the documents it asks for, such as the commercial registration. The team checks the product and replies in about 10 working days. See the service guide on this kiosk for the full list of documents.",
     "تملأ الجهة المصنّعة نموذج الطلب في البوابة وترفع المستندات المطلوبة، مثل السجل التجاري. ويتحقق الفريق من المنتج ويرد خلال نحو 10 أيام عمل. راجع دليل الخدمات في هذا الجهاز لمعرفة قائمة المستندات كاملة."),
    ("buy", "Can I buy products at the kiosk?", "هل يمكنني شراء المنتجات من الجهاز؟",
     "No, the kiosk does not sell anything. Each product page tells you where to buy it. You can also scan the square code on the screen with your phone to open the product page and take it with you.",
     "لا، الجهاز لا يبيع شيئًا. تبيّن لك صفحة كل منتج أين تشتريه، ويمكنك أيضًا تصوير الرمز المربع على الشاشة بهاتفك لفتح صفحة المنتج والاحتفاظ بها."),
    ("anonymous", "Is my feedback anonymous?", "هل ملاحظاتي مجهولة الهوية؟",
     "Yes, unless you choose to add your name, phone number or email. Survey answers and poll votes never include who you are.",
     "نعم، ما لم تختر إضافة اسمك أو رقم هاتفك أو بريدك الإلكتروني. ولا تتضمن إجابات الاستبيان والتصويت أي معلومات عن هويتك."),
    ("contact-details", "What happens to my contact details if I give them?", "ماذا يحدث لبيانات التواصل إذا قدّمتها؟",
     "They are used only to reply to you about your message. The kiosk locks them as soon as you send them, so nobody can read them on the kiosk. They are not shared with anyone else.",
     "تُستخدم فقط للرد عليك بشأن رسالتك. ويقفلها الجهاز فور إرسالها فلا يستطيع أحد قراءتها عليه، ولا تُشارك مع أي جهة أخرى."),
    ("call-centre", "How can I talk to a person?", "كيف أتحدث إلى موظف؟",
     "Call the Made in Oman call centre on 80000070, free of charge from inside Oman. The call centre answers from Sunday to Thursday, 7:30 to 14:30.",
     "اتصل بمركز اتصال صُنع في عُمان على الرقم 80000070، والاتصال مجاني من داخل عُمان. ويرد المركز من الأحد إلى الخميس، من الساعة 7:30 إلى الساعة 14:30."),
    ("office-hours", "When is the portal office open?", "ما مواعيد عمل مكتب البوابة؟",
     "Sunday to Thursday, from 7:30 in the morning to 2:30 in the afternoon. The office is closed on Friday, Saturday and public holidays. The kiosk and the website work at all times.",
     "من الأحد إلى الخميس، من الساعة 7:30 صباحًا حتى الساعة 2:30 بعد الظهر. ويغلق المكتب يومي الجمعة والسبت وفي العطل الرسمية، أما الجهاز والموقع الإلكتروني فيعملان في كل الأوقات."),
    ("open-data", "What is open data?", "ما البيانات المفتوحة؟",
     "The list of products, makers and categories is published as files that anyone can download and use for free, under the CC BY 4.0 licence. You only need to name the Made in Oman portal as the source.",
     "تُنشر قائمة المنتجات والجهات المصنّعة والفئات في ملفات يستطيع أي شخص تنزيلها واستخدامها مجانًا بموجب رخصة CC BY 4.0، ويكفي أن تذكر بوابة صُنع في عُمان مصدرًا لها."),
    ("accessibility-problem", "Something on the kiosk is hard to use. How do I tell you?", "شيء في الجهاز صعب الاستخدام، فكيف أخبركم؟",
     "Choose 'Report an accessibility problem' in the feedback menu and tell us in your own words what was hard. We read every report and use it to improve the kiosks.",
     "اختر «الإبلاغ عن مشكلة في سهولة الاستخدام» من قائمة الملاحظات، وأخبرنا بكلماتك بما كان صعبًا. نقرأ كل بلاغ ونستفيد منه في تحسين الأجهزة."),
    ("after-leave", "What does the kiosk remember after I leave?", "ماذا يتذكر الجهاز بعد أن أغادر؟",
     "Nothing about you. When you leave or stop using it, the kiosk clears your choices and settings. It only keeps counts, such as how many people opened a page, with no names.",
     "لا شيء عنك. عندما تغادر أو تتوقف عن استخدامه يمسح الجهاز اختياراتك وإعداداتك، ولا يحتفظ إلا بأعداد مثل عدد من فتحوا صفحة ما، دون أي أسماء."),
    ("product-info", "Where does the product information come from?", "من أين تأتي معلومات المنتجات؟",
     "The makers send it to the portal, and the portal team checks it before it is published. If you see a mistake, please tell us through the feedback menu.",
     "ترسلها الجهات المصنّعة إلى البوابة، ويراجعها فريق البوابة قبل نشرها. وإذا رأيت خطأً فأخبرنا من خلال قائمة الملاحظات."),
]

FAQ = [{"id": i, "question": t(qen, qar), "answer": t(aen, aar), "order": n * 10}
       for n, (i, qen, qar, aen, aar) in enumerate(FAQ_ITEMS, 1)]

# ---------------------------------------------------------------------------------------------
# Service guide

GUIDE = [
    {
        "id": "apply-made-in-oman-mark",
        "order": 10,
        "title": t("Apply for the Made in Oman mark", "طلب علامة صُنع في عُمان"),
        "summary": t(
            "The Made in Oman mark shows buyers that a product is made in Oman. Any maker registered in Oman can apply for each of its products. The portal team checks the documents and the product, and may visit the place where it is made.",
            "تُعرّف علامة صُنع في عُمان المشترين بأن المنتج مصنوع في عُمان. ويحق لأي جهة مصنّعة مسجلة في عُمان التقدم بطلبها لكل منتج من منتجاتها. ويراجع فريق البوابة المستندات والمنتج، وقد يزور مكان التصنيع."),
        "documents": [
            t("Commercial registration certificate, valid", "شهادة السجل التجاري سارية المفعول"),
            t("Industrial licence, if the product is made in a factory", "الترخيص الصناعي إذا كان المنتج يُصنع في مصنع"),
            t("A short description of how and where the product is made", "وصف مختصر لطريقة تصنيع المنتج ومكانه"),
            t("Clear photos of the product and its packaging", "صور واضحة للمنتج وعبوته"),
            t("Test reports or quality certificates, if you have them", "تقارير الفحص أو شهادات الجودة إن وجدت"),
            t("Civil ID card of the person who signs the application", "البطاقة الشخصية لمن يوقّع الطلب"),
        ],
        "steps": [
            t("Sign in to the portal with your company account.", "سجّل الدخول إلى البوابة بحساب شركتك."),
            t("Open 'Apply for the mark' and fill in the form for one product.", "افتح «طلب العلامة» واملأ النموذج لمنتج واحد."),
            t("Upload the documents and send the form.", "ارفع المستندات وأرسل النموذج."),
            t("The team checks your application and may ask for more details or a visit.", "يراجع الفريق طلبك، وقد يطلب معلومات إضافية أو زيارة."),
            t("You receive the decision by message and on the portal.", "يصلك القرار برسالة وعلى البوابة."),
            t("If approved, download the mark and put it on your product and packaging.", "عند الموافقة نزّل العلامة وضعها على منتجك وعبوته."),
        ],
        "duration": t("About 10 working days", "نحو 10 أيام عمل"),
        "duration_days": 10,
        "fee": t("Free of charge", "دون رسوم"),
    },
    {
        "id": "register-manufacturer",
        "order": 20,
        "title": t("Register your company on the portal", "تسجيل شركتك في البوابة"),
        "summary": t(
            "Register your company to show your products on the portal and on the kiosks. Small workshops and home businesses are welcome.",
            "سجّل شركتك لعرض منتجاتك في البوابة وعلى أجهزة الخدمة الذاتية. والورش الصغيرة والمشاريع المنزلية مرحّب بها."),
        "documents": [
            t("Commercial registration certificate, or a home business licence", "شهادة السجل التجاري أو ترخيص العمل من المنزل"),
            t("Name, phone and email of a contact person", "اسم شخص للتواصل ورقم هاتفه وبريده الإلكتروني"),
            t("Your company logo, if you have one", "شعار شركتك إن وجد"),
        ],
        "steps": [
            t("Open the portal and choose 'Register a company'.", "افتح البوابة واختر «تسجيل شركة»."),
            t("Fill in your company details and upload the documents.", "املأ بيانات شركتك وارفع المستندات."),
            t("Confirm your email address with the code we send you.", "أكّد بريدك الإلكتروني بالرمز الذي نرسله إليك."),
            t("Add your products with photos and descriptions in Arabic and English.", "أضف منتجاتك مع صورها ووصفها بالعربية والإنجليزية."),
        ],
        "duration": t("About 3 working days", "نحو 3 أيام عمل"),
        "duration_days": 3,
        "fee": t("Free of charge", "دون رسوم"),
    },
    {
        "id": "renew-made-in-oman-mark",
        "order": 30,
        "title": t("Renew the Made in Oman mark", "تجديد علامة صُنع في عُمان"),
        "summary": t(
            "The mark is valid for two years. Renew it before it ends so your product keeps the mark without a break.",
            "العلامة صالحة مدة سنتين. جدّدها قبل انتهائها ليحتفظ منتجك بالعلامة دون انقطاع."),
        "documents": [
            t("Commercial registration certificate, valid", "شهادة السجل التجاري سارية المفعول"),
            t("A note of any change to the product or the way it is made", "بيان بأي تغيير في المنتج أو طريقة تصنيعه"),
        ],
        "steps": [
            t("Open your product on the portal and choose 'Renew the mark'.", "افتح منتجك في البوابة واختر «تجديد العلامة»."),
            t("Confirm the details or tell us what has changed.", "أكّد البيانات أو أخبرنا بما تغيّر."),
            t("Send the request and wait for the decision by message.", "أرسل الطلب وانتظر القرار برسالة."),
        ],
        "duration": t("About 5 working days", "نحو 5 أيام عمل"),
        "duration_days": 5,
        "fee": t("Free of charge", "دون رسوم"),
    },
    {
        "id": "send-feedback",
        "order": 40,
        "title": t("Send a comment, suggestion or complaint", "إرسال ملاحظة أو اقتراح أو شكوى"),
        "summary": t(
            "Tell the portal what you think, here on the kiosk, on the website or by phone. You do not have to give your name. If you want an answer, add a phone number or email.",
            "أخبر البوابة برأيك من هذا الجهاز أو من الموقع الإلكتروني أو بالهاتف، ولست مضطرًا إلى ذكر اسمك. وإذا أردت ردًا فأضف رقم هاتف أو بريدًا إلكترونيًا."),
        "documents": [
            t("No documents are needed", "لا حاجة إلى أي مستندات"),
        ],
        "steps": [
            t("Choose 'Feedback' on the kiosk.", "اختر «الملاحظات» في الجهاز."),
            t("Choose comment, suggestion or complaint, and write your message.", "اختر ملاحظة أو اقتراحًا أو شكوى، واكتب رسالتك."),
            t("Add contact details only if you want a reply, then send.", "أضف بيانات التواصل فقط إذا أردت ردًا، ثم أرسل."),
        ],
        "duration": t("A reply within 5 working days if you ask for one", "رد خلال 5 أيام عمل إذا طلبت ذلك"),
        "duration_days": 5,
        "fee": t("Free of charge", "دون رسوم"),
    },
]

# ---------------------------------------------------------------------------------------------
# Policies, in plain words (our own summaries of the portal's policies)

POLICIES = [
    {
        "id": "privacy", "order": 10,
        "title": t("Privacy", "الخصوصية"),
        "summary": t("We do not ask who you are. If you choose to give contact details, we use them only to reply to you.",
                     "لا نسألك عن هويتك. وإذا اخترت تقديم بيانات التواصل فإننا نستخدمها للرد عليك فقط."),
        "body": t(
            "You can use this kiosk without giving any personal information. We do not ask for your name, and the kiosk does not take pictures of you or record your voice.\n\n"
            "When you send a comment, a complaint or a suggestion, you may add a phone number or an email address so that we can answer you. This is your choice. We use these details only to reply to your message, and we do not share them with anyone else or use them for advertising. As soon as you send them, the kiosk locks them so that they can be opened only by the portal team who will reply.\n\n"
            "When you leave the kiosk, or stop using it for a while, it clears everything you did, including your settings. The next visitor starts fresh.\n\n"
            "We count how the kiosk is used, for example how many times a page was opened, to make the service better. These counts never say who you are.\n\n"
            "If you have a question about your information, call 80000070.",
            "يمكنك استخدام هذا الجهاز دون تقديم أي معلومات شخصية. فنحن لا نسألك عن اسمك، ولا يلتقط الجهاز صورًا لك ولا يسجل صوتك.\n\n"
            "عندما ترسل ملاحظة أو شكوى أو اقتراحًا، يمكنك إضافة رقم هاتف أو بريد إلكتروني لكي نرد عليك، والأمر متروك لك. نستخدم هذه البيانات للرد على رسالتك فقط، ولا نشاركها مع أي جهة أخرى ولا نستعملها في الإعلانات. وبمجرد إرسالها يقفلها الجهاز فلا يفتحها إلا فريق البوابة المكلف بالرد.\n\n"
            "عندما تغادر الجهاز أو تتوقف عن استخدامه مدة من الزمن، يمسح كل ما فعلته، بما في ذلك إعداداتك، فيبدأ الزائر التالي من جديد.\n\n"
            "نحصي طريقة استخدام الجهاز، مثل عدد مرات فتح صفحة ما، لنحسّن الخدمة، ولا تكشف هذه الأعداد هويتك أبدًا.\n\n"
            "إذا كان لديك سؤال عن معلوماتك فاتصل على الرقم 80000070."),
    },
    {
        "id": "terms", "order": 20,
        "title": t("Terms of use", "شروط الاستخدام"),
        "summary": t("The kiosk is free for everyone. Please use it kindly and do not send false or hurtful messages.",
                     "الجهاز متاح للجميع مجانًا. نرجو استخدامه بلطف وعدم إرسال رسائل كاذبة أو مسيئة."),
        "body": t(
            "This kiosk is a free public service of the Made in Oman portal. Anyone may use it.\n\n"
            "The information about products comes from their makers and is checked by the portal team. We work to keep it correct and up to date, but prices, stock and opening times can change. Please check with the shop before you travel to buy something. The kiosk does not sell products and does not take payments.\n\n"
            "When you send a message, please be honest and polite. Do not send messages that insult people, that are false, or that advertise something. We may not publish or answer such messages.\n\n"
            "Please treat the kiosk with care so that the next person can use it too. If it is not working, tell the staff nearby or call 80000070.\n\n"
            "We may change these terms. The current terms are always shown here and on the portal.",
            "هذا الجهاز خدمة عامة مجانية من بوابة صُنع في عُمان، ويحق لأي شخص استخدامه.\n\n"
            "تأتي معلومات المنتجات من الجهات المصنّعة ويراجعها فريق البوابة. نحرص على أن تكون صحيحة ومحدّثة، لكن الأسعار والكميات المتوفرة ومواعيد العمل قد تتغير، فنرجو التأكد من المحل قبل الذهاب للشراء. ولا يبيع الجهاز المنتجات ولا يستقبل أي مدفوعات.\n\n"
            "عند إرسال رسالة، نرجو أن تكون صادقًا ومهذبًا. لا ترسل رسائل تسيء إلى الآخرين أو تتضمن معلومات كاذبة أو إعلانات، فقد لا ننشرها ولا نرد عليها.\n\n"
            "نرجو المحافظة على الجهاز ليستطيع الشخص التالي استخدامه أيضًا. وإذا لم يعمل فأخبر الموظفين القريبين أو اتصل على الرقم 80000070.\n\n"
            "قد نعدّل هذه الشروط، وتُعرض الشروط السارية دائمًا هنا وفي البوابة."),
    },
    {
        "id": "accessibility", "order": 30,
        "title": t("Accessibility", "سهولة الوصول"),
        "summary": t("The kiosk is built to be used by everyone, including elderly people and persons with disabilities.",
                     "صُمم الجهاز ليستخدمه الجميع، ومنهم كبار السن والأشخاص ذوو الإعاقة."),
        "body": t(
            "We want everyone to be able to use this kiosk on their own, whatever their age or ability.\n\n"
            "Every screen can be read aloud in Arabic or English, and you can change the speed and the volume of the voice. You can make the text larger and choose colours with stronger contrast. Reach mode moves all the buttons to the lower part of the screen, for people who use a wheelchair or who are short. A keypad with large keys lets you use the kiosk without seeing the screen. The buttons are big and far apart, and nothing on the kiosk has a time limit.\n\n"
            "We follow the international Web Content Accessibility Guidelines (WCAG 2.0, level AA) as the minimum, and we test the kiosks with elderly visitors and persons with disabilities.\n\n"
            "If something is hard to use, please tell us. Choose 'Report an accessibility problem' in the feedback menu, or call 80000070. Every report is read and answered with changes where we can.",
            "نريد أن يتمكن كل شخص من استخدام هذا الجهاز بنفسه، مهما كان عمره أو قدرته.\n\n"
            "يمكن قراءة كل شاشة بصوت مسموع بالعربية أو الإنجليزية، مع التحكم في سرعة الصوت وارتفاعه. ويمكنك تكبير النص واختيار ألوان أعلى تباينًا. وينقل وضع سهولة الوصول جميع الأزرار إلى الجزء السفلي من الشاشة لمن يستخدمون الكراسي المتحركة أو قصار القامة. وتتيح لوحة مفاتيح بأزرار كبيرة استخدام الجهاز دون رؤية الشاشة. الأزرار كبيرة ومتباعدة، ولا شيء في الجهاز مقيد بوقت.\n\n"
            "نلتزم بالإرشادات الدولية لسهولة الوصول إلى محتوى الويب (WCAG 2.0، المستوى AA) حدًّا أدنى، ونختبر الأجهزة مع زوار من كبار السن والأشخاص ذوي الإعاقة.\n\n"
            "إذا وجدت شيئًا صعب الاستخدام فأخبرنا. اختر «الإبلاغ عن مشكلة في سهولة الاستخدام» من قائمة الملاحظات، أو اتصل على الرقم 80000070. نقرأ كل بلاغ ونجري التحسينات الممكنة."),
    },
    {
        "id": "participation", "order": 40,
        "title": t("Taking part", "المشاركة الإلكترونية"),
        "summary": t("Your opinion helps us improve. Vote in polls, answer the survey, or send us your ideas.",
                     "رأيك يساعدنا على التحسين. صوّت في الاستطلاعات، وأجب عن الاستبيان، أو أرسل إلينا أفكارك."),
        "body": t(
            "The Made in Oman portal wants to hear from the people it serves. On this kiosk you can take part in several ways.\n\n"
            "You can vote in a short poll and see the results straight away. You can answer a satisfaction survey of a few questions. You can send a comment, a suggestion or a complaint about the portal, a product page or the kiosk itself.\n\n"
            "Taking part is always your choice, and you do not have to say who you are. Your answers are added to the answers of other visitors, and the totals are shared with the teams who run the portal. We use them to decide what to improve first.\n\n"
            "If you add contact details to a complaint or a suggestion, we will reply to you. We aim to answer within five working days.\n\n"
            "We publish the overall results of polls, so everyone can see what visitors said.",
            "تحرص بوابة صُنع في عُمان على الاستماع إلى من تخدمهم، ويمكنك المشاركة من هذا الجهاز بعدة طرق.\n\n"
            "يمكنك التصويت في استطلاع قصير ورؤية النتائج فورًا، والإجابة عن استبيان رضا من بضعة أسئلة، وإرسال ملاحظة أو اقتراح أو شكوى عن البوابة أو صفحة منتج أو الجهاز نفسه.\n\n"
            "المشاركة اختيارية دائمًا، ولست مضطرًا إلى ذكر هويتك. تُجمع إجاباتك مع إجابات الزوار الآخرين، وتُرسل المجاميع إلى الفرق التي تدير البوابة، فنستعين بها في تحديد ما نحسّنه أولًا.\n\n"
            "إذا أضفت بيانات التواصل إلى شكوى أو اقتراح فسنرد عليك، ونسعى إلى الرد خلال خمسة أيام عمل.\n\n"
            "ننشر النتائج العامة للاستطلاعات ليطّلع الجميع على آراء الزوار."),
    },
    {
        "id": "open_data", "order": 50,
        "title": t("Open data", "البيانات المفتوحة"),
        "summary": t("The product list is free for anyone to download and reuse, as long as you name the portal as the source.",
                     "قائمة المنتجات متاحة للجميع لتنزيلها وإعادة استخدامها مجانًا، بشرط ذكر البوابة مصدرًا لها."),
        "body": t(
            "The Made in Oman portal publishes its list of products, makers, categories and governorates as open data.\n\n"
            "Open data means that anyone can download the files and use them for free: students, researchers, journalists, shops and app makers. You do not need to register or ask for permission.\n\n"
            "The files come in two common formats, JSON and CSV, which open in spreadsheet programs. Each new version of the content is numbered and signed, so you can check that a file really comes from the portal and see when it changed.\n\n"
            "The data is shared under the Creative Commons Attribution 4.0 licence (CC BY 4.0). You may copy, share and change it, also for business, if you name the Made in Oman portal as the source.\n\n"
            "Open data never includes anything about visitors, such as feedback or contact details.",
            "تنشر بوابة صُنع في عُمان قائمة المنتجات والجهات المصنّعة والفئات والمحافظات بيانات مفتوحة.\n\n"
            "ومعنى البيانات المفتوحة أن أي شخص يستطيع تنزيل الملفات واستخدامها مجانًا، من الطلاب والباحثين والصحفيين إلى المحلات ومطوري التطبيقات، دون حاجة إلى تسجيل أو إذن.\n\n"
            "تأتي الملفات بصيغتين شائعتين هما JSON وCSV، وتُفتح في برامج الجداول. ولكل إصدار جديد من المحتوى رقم وتوقيع، فيمكنك التحقق من أن الملف صادر فعلًا عن البوابة ومعرفة وقت تغييره.\n\n"
            "تُتاح البيانات بموجب رخصة المشاع الإبداعي نسب المصنف 4.0 (CC BY 4.0)، فيحق لك نسخها ومشاركتها وتعديلها، حتى لأغراض تجارية، بشرط ذكر بوابة صُنع في عُمان مصدرًا لها.\n\n"
            "لا تتضمن البيانات المفتوحة أبدًا أي شيء عن الزوار، مثل الملاحظات أو بيانات التواصل."),
    },
]

# ---------------------------------------------------------------------------------------------
# Poll and survey

POLLS = [{
    "id": "more-products-2027",
    "question": t("Which kind of Omani product would you like to see more of on this kiosk?",
                  "أي نوع من المنتجات العمانية تود أن ترى المزيد منه في هذا الجهاز؟"),
    "options": [
        {"id": "food", "label": t("Dates, halwa and food", "التمور والحلوى والأغذية")},
        {"id": "perfume", "label": t("Frankincense and perfume", "اللبان والعطور")},
        {"id": "crafts", "label": t("Handicrafts and silver", "الحرف اليدوية والفضيات")},
        {"id": "clothing", "label": t("Textiles and clothing", "المنسوجات والملابس")},
        {"id": "industry", "label": t("Building materials and industry", "مواد البناء والصناعة")},
    ],
    "opens_at": "2026-11-01T00:00:00Z",
    "closes_at": "2027-12-31T20:00:00Z",
}]

RATING = [
    ("very_dissatisfied", "Very dissatisfied", "غير راضٍ جدًا"),
    ("dissatisfied", "Dissatisfied", "غير راضٍ"),
    ("neutral", "Neither satisfied nor dissatisfied", "محايد"),
    ("satisfied", "Satisfied", "راضٍ"),
    ("very_satisfied", "Very satisfied", "راضٍ جدًا"),
]


def _rating(qid: str, en: str, ar: str, required: bool = False) -> dict:
    return {"id": qid, "text": t(en, ar), "kind": "rating", "required": required,
            "choices": [{"id": c, "label": t(cen, car)} for c, cen, car in RATING]}


SURVEYS = [{
    "id": "satisfaction",
    "title": t("How was your visit?", "كيف كانت زيارتك؟"),
    "intro": t("Five short questions. You do not have to answer all of them, and we do not ask who you are.",
               "خمسة أسئلة قصيرة. لست مضطرًا إلى الإجابة عنها كلها، ولن نسألك عن هويتك."),
    "questions": [
        _rating("overall", "How satisfied are you with the kiosk overall?",
                "ما مدى رضاك عن الجهاز بشكل عام؟", required=True),
        _rating("finding", "How satisfied are you with how easy it was to find what you wanted?",
                "ما مدى رضاك عن سهولة العثور على ما تريده؟"),
        _rating("reading", "How satisfied are you with how easy the screens were to read or hear?",
                "ما مدى رضاك عن سهولة قراءة الشاشات أو الاستماع إليها؟"),
        {"id": "purpose", "text": t("What did you come to do today?", "ما الذي جئت من أجله اليوم؟"),
         "kind": "choice", "required": False,
         "choices": [
             {"id": "products", "label": t("Find Omani products", "البحث عن منتجات عمانية")},
             {"id": "mark", "label": t("Learn about the Made in Oman mark", "التعرف على علامة صُنع في عُمان")},
             {"id": "feedback", "label": t("Give my opinion", "إبداء رأيي")},
             {"id": "browsing", "label": t("Just looking", "التصفح فقط")},
         ]},
        {"id": "again", "text": t("Would you use this kiosk again?", "هل ستستخدم هذا الجهاز مرة أخرى؟"),
         "kind": "choice", "required": False,
         "choices": [
             {"id": "yes", "label": t("Yes", "نعم")},
             {"id": "maybe", "label": t("Maybe", "ربما")},
             {"id": "no", "label": t("No", "لا")},
         ]},
    ],
}]

# Public holidays on which the portal's office is closed. Hijri holidays follow the moon: the
# dates here are the expected ones and must be checked against the official announcement.
HOLIDAYS = [
    ("2026-11-18", "National Day", "العيد الوطني"),
    ("2026-11-19", "National Day holiday", "عطلة العيد الوطني"),
    ("2027-01-05", "Al Isra and Al Miraj (expected)", "ذكرى الإسراء والمعراج (موعد متوقع)"),
    ("2027-01-11", "Accession Day of His Majesty the Sultan", "ذكرى تولي جلالة السلطان مقاليد الحكم"),
    ("2027-03-09", "Eid al-Fitr, first day (expected)", "عيد الفطر، اليوم الأول (موعد متوقع)"),
    ("2027-03-10", "Eid al-Fitr holiday (expected)", "عطلة عيد الفطر (موعد متوقع)"),
    ("2027-03-11", "Eid al-Fitr holiday (expected)", "عطلة عيد الفطر (موعد متوقع)"),
    ("2027-05-15", "Day of Arafah (expected)", "يوم عرفة (موعد متوقع)"),
    ("2027-05-16", "Eid al-Adha, first day (expected)", "عيد الأضحى، اليوم الأول (موعد متوقع)"),
    ("2027-05-17", "Eid al-Adha holiday (expected)", "عطلة عيد الأضحى (موعد متوقع)"),
    ("2027-05-18", "Eid al-Adha holiday (expected)", "عطلة عيد الأضحى (موعد متوقع)"),
    ("2027-06-06", "Islamic New Year 1449 (expected)", "رأس السنة الهجرية 1449 (موعد متوقع)"),
    ("2027-08-15", "The Prophet's Birthday (expected)", "المولد النبوي الشريف (موعد متوقع)"),
    ("2027-11-18", "National Day", "العيد الوطني"),
    ("2027-11-19", "National Day holiday", "عطلة العيد الوطني"),
]

SITE = [{
    "id": "site",
    "portal_name": t("Made in Oman", "صُنع في عُمان"),
    "call_centre": "80000070",
    "email": "info@madeinoman.om",
    "portal_url": f"{PORTAL}/",
    "timezone": "Asia/Muscat",
    "office_hours": [
        {"days": ["sun", "mon", "tue", "wed", "thu"], "opens": "07:30", "closes": "14:30"},
    ],
    "holidays": [{"date": d, "name": t(en, ar)} for d, en, ar in HOLIDAYS],
    "address": t("Made in Oman Portal, Madinat Al Irfan, Muscat, Sultanate of Oman",
                 "بوابة صُنع في عُمان، مدينة العرفان، مسقط، سلطنة عُمان"),
    "open_data_licence": t(
        "Open data under CC BY 4.0: you may use and share it freely if you name the Made in Oman portal as the source.",
        "بيانات مفتوحة بموجب رخصة CC BY 4.0: يمكنك استخدامها ومشاركتها بحرية مع ذكر بوابة صُنع في عُمان مصدرًا لها."),
}]

# ---------------------------------------------------------------------------------------------
# Building the catalogue


def _outlet(key: str) -> dict:
    en, ar, aen, aar = PLACES[key]
    return {"name": t(en, ar), "address": t(aen, aar)}


def build() -> dict:
    """The catalogue as plain JSON data, in a stable order. Images are left empty here and
    filled in by make_demo_images.py."""
    prefix = {c[0]: c[1] for c in CATEGORIES}
    makers = {m[0]: m for m in MAKERS}
    counters: dict[str, int] = {}
    products = []
    for p in PRODUCTS:
        m = makers[p["maker"]]
        n = counters[p["cat"]] = counters.get(p["cat"], 0) + 1
        shop_en, shop_ar = m[6]
        outlets = [{"name": t(m[2], m[3]), "address": t(shop_en, shop_ar),
                    "phone": _maker_phone(m[0])}]
        place = p["places"] if p["places"] is not None else m[7]
        if place:
            outlets.append(_outlet(place))
        products.append({
            "id": p["id"],
            "code": f"MIO-{prefix[p['cat']]}-{n:04d}",
            "name": t(p["en"], p["ar"]),
            "description": t(p["den"], p["dar"]),
            "category_id": p["cat"],
            "manufacturer_id": m[0],
            "governorate": m[1],
            "images": [],
            "certifications": list(p["certs"]),
            "where_to_buy": outlets,
            "portal_url": f"{PORTAL}/products/{p['id']}",
        })
    return {
        "schema": 1,
        "category": [
            {"id": c[0], "name": t(c[2], c[3]), "description": t(c[4], c[5]), "order": i * 10}
            for i, c in enumerate(CATEGORIES, 1)
        ],
        "governorate": [
            {"id": g[0], "name": t(g[1], g[2]), "order": i} for i, g in enumerate(GOVERNORATES, 1)
        ],
        "certification": [
            {"id": c[0], "name": t(c[1], c[2]), "description": t(c[3], c[4])} for c in CERTIFICATIONS
        ],
        "manufacturer": [
            {"id": m[0], "name": t(m[2], m[3]), "governorate": m[1], "description": t(m[4], m[5]),
             "website": f"{PORTAL}/manufacturers/{m[0]}", "phone": _maker_phone(m[0])}
            for m in MAKERS
        ],
        "product": products,
        "news": NEWS,
        "faq": FAQ,
        "guide": GUIDE,
        "policy": POLICIES,
        "poll": POLLS,
        "survey": SURVEYS,
        "site": SITE,
    }


def _maker_phone(maker_id: str) -> str:
    # Made-up numbers in one obviously sequential block, so no real line is printed.
    i = [m[0] for m in MAKERS].index(maker_id)
    return f"+968 2400 {i + 1:04d}"


def write(data: dict, path: Path = OUT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    write(build())
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import make_demo_images

    return make_demo_images.main([])


if __name__ == "__main__":
    raise SystemExit(main())
