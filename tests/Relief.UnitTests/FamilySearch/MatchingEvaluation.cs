using Relief.FamilySearch.Matching;

namespace Relief.UnitTests.FamilySearch;

/// <summary>
/// The matching evaluation of issue 13: a generated set of notices and missing-person reports with the noise real ones
/// have — ages estimated ±5 years by staff, features described in other words by the station and by the family (and some
/// missed, some new since), places misspelt, codes unknown, clothes changed over the years, a name given by the person
/// that may be wrong — and reports with no true notice and notices with no report. Deterministic for a seed.
/// </summary>
public static class MatchingEvaluation
{
    public static readonly DateOnly Today = new(2026, 11, 30);

    public sealed record Set(IReadOnlyList<NoticeTraits> Notices, IReadOnlyList<ReportTraits> Reports, IReadOnlyDictionary<Guid, Guid> TrueNoticeOf);

    public sealed record Figures(
        int Pairs, int RankedFirst, int NoTrueNotice, int NoneAboveConfirmation, int TrueAboveProposal, double MeanCandidatesPerReport,
        double MedianTrueScore)
    {
        public double RankedFirstShare => (double)RankedFirst / Pairs;
        public double NoneAboveConfirmationShare => (double)NoneAboveConfirmation / NoTrueNotice;
        public double TrueAboveProposalShare => (double)TrueAboveProposal / Pairs;
    }

    /// <summary>Scores every report against every notice with <see cref="MatchScorer"/>, as the service does.</summary>
    public static Figures Evaluate(Set set)
    {
        var notices = set.Notices.Select(MatchScorer.Prepare).ToList();
        int pairs = 0, rankedFirst = 0, noTrue = 0, noneAbove = 0, trueAboveProposal = 0;
        long candidates = 0;
        var trueScores = new List<double>();
        foreach (var report in set.Reports)
        {
            var prepared = MatchScorer.Prepare(report);
            var trueId = set.TrueNoticeOf.TryGetValue(report.Id, out var id) ? id : (Guid?)null;
            double trueScore = -1, bestOther = -1;
            foreach (var notice in notices)
            {
                var score = MatchScorer.Score(notice, prepared, Today)?.Score ?? -1;
                if (score >= MatchScorer.ProposalThreshold)
                {
                    candidates++;
                }

                if (notice.Traits.Id == trueId)
                {
                    trueScore = score;
                }
                else
                {
                    bestOther = Math.Max(bestOther, score);
                }
            }

            if (trueId is null)
            {
                noTrue++;
                noneAbove += bestOther < MatchScorer.ConfirmationThreshold ? 1 : 0;
            }
            else
            {
                pairs++;
                rankedFirst += trueScore >= 0 && trueScore > bestOther ? 1 : 0;
                trueAboveProposal += trueScore >= MatchScorer.ProposalThreshold ? 1 : 0;
                trueScores.Add(trueScore);
            }
        }

        trueScores.Sort();
        return new Figures(pairs, rankedFirst, noTrue, noneAbove, trueAboveProposal, (double)candidates / set.Reports.Count,
            trueScores.Count == 0 ? 0 : trueScores[trueScores.Count / 2]);
    }

    /// <summary>
    /// <paramref name="notices"/> notices and as many reports; <paramref name="withoutCounterpart"/> of each side have no
    /// true counterpart on the other.
    /// </summary>
    public static Set Generate(int seed, int notices = 1000, int withoutCounterpart = 200)
    {
        var random = new Random(seed);
        var noticeList = new List<NoticeTraits>();
        var reportList = new List<ReportTraits>();
        var trueNoticeOf = new Dictionary<Guid, Guid>();
        var paired = notices - withoutCounterpart;
        for (var i = 0; i < notices + withoutCounterpart; i++)
        {
            var person = Person.Random(random);
            // The first `paired` people have both; then people only found (no family asked), then only sought (never found).
            var found = i < notices;
            var sought = i < paired || i >= notices;
            NoticeTraits? notice = found ? NoticeOf(person, random) : null;
            ReportTraits? report = sought ? ReportOf(person, random) : null;
            if (notice is not null)
            {
                noticeList.Add(notice);
            }

            if (report is not null)
            {
                reportList.Add(report);
                if (notice is not null)
                {
                    trueNoticeOf[report.Id] = notice.Id;
                }
            }
        }

        Shuffle(noticeList, random);
        Shuffle(reportList, random);
        return new Set(noticeList, reportList, trueNoticeOf);
    }

    private static void Shuffle<T>(List<T> list, Random random)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private sealed record Person(
        string Sex, string Name, int AgeThen, DateOnly LastSeenOn, DateOnly FoundOn, int HeightThen, int HeightFound,
        int[] Features, int[] ClothesThen, int Province, County LastSeen, County Found, string LastSeenPlace, string FoundPlace)
    {
        public static Person Random(Random random)
        {
            var sex = random.Next(2) == 0 ? "male" : "female";
            var ageThen = random.Next(100) switch { < 15 => random.Next(3, 14), < 30 => random.Next(14, 30), < 60 => random.Next(30, 60), _ => random.Next(60, 86) };
            var lastSeenOn = new DateOnly(1995, 1, 1).AddDays(random.Next((Today.DayNumber - new DateOnly(1995, 1, 1).DayNumber) - 30));
            // Most are found within weeks or months; some wander for years, a few for decades.
            var daysLost = random.Next(100) switch { < 45 => random.Next(1, 90), < 75 => random.Next(90, 3 * 365), _ => random.Next(3 * 365, 30 * 365) };
            var foundOn = lastSeenOn.AddDays(daysLost);
            if (foundOn > Today)
            {
                foundOn = Today.AddDays(-random.Next(0, 30));
            }

            var yearsLost = foundOn.Year - lastSeenOn.Year;
            var adult = sex == "male" ? random.Next(158, 182) : random.Next(148, 168);
            var heightThen = ageThen >= 16 ? adult : (int)(adult * (0.45 + ageThen * 0.035));
            var heightFound = ageThen + yearsLost >= 16 ? adult : (int)(adult * (0.45 + (ageThen + yearsLost) * 0.035));
            var features = Pick(random, Vocabulary.Features.Length, random.Next(2, 5));
            var clothes = Pick(random, Vocabulary.Clothes.Length, random.Next(2, 4));
            var province = random.Next(Vocabulary.Provinces.Length);
            var lastSeen = Vocabulary.CountyIn(random, province);
            var found = random.Next(100) switch
            {
                < 30 => lastSeen,
                < 50 => Vocabulary.CountyInPrefecture(random, lastSeen),
                < 70 => Vocabulary.CountyIn(random, province),
                _ => Vocabulary.CountyIn(random, random.Next(Vocabulary.Provinces.Length)),
            };
            var name = Vocabulary.Surnames[random.Next(Vocabulary.Surnames.Length)] + Vocabulary.GivenNames[random.Next(Vocabulary.GivenNames.Length)];
            return new Person(sex, name, ageThen, lastSeenOn, foundOn, heightThen, heightFound, features, clothes, province, lastSeen, found,
                lastSeen.Name + Vocabulary.Places[random.Next(Vocabulary.Places.Length)], found.Name + Vocabulary.Places[random.Next(Vocabulary.Places.Length)]);
        }
    }

    private static NoticeTraits NoticeOf(Person person, Random random)
    {
        var ageFound = person.AgeThen + (person.FoundOn.Year - person.LastSeenOn.Year);
        // Staff estimate the age within ±5 years, and give it as a range.
        var estimate = Math.Max(1, ageFound + random.Next(-5, 6));
        var spread = random.Next(2, 6);
        // Staff miss some features and see some the family never knew (a scar since).
        var seen = person.Features.Where(_ => random.NextDouble() < 0.8).ToList();
        if (random.NextDouble() < 0.3)
        {
            seen.Add(random.Next(Vocabulary.Features.Length));
        }

        var foundRecently = person.FoundOn.DayNumber - person.LastSeenOn.DayNumber < 60;
        var clothes = foundRecently && random.NextDouble() < 0.7
            ? person.ClothesThen.Where(_ => random.NextDouble() < 0.8).ToArray()
            : Pick(random, Vocabulary.Clothes.Length, random.Next(2, 4));
        // A confused person may give a name, not always theirs.
        var name = random.NextDouble() < 0.15 ? random.NextDouble() < 0.7 ? person.Name : Vocabulary.Surnames[random.Next(Vocabulary.Surnames.Length)] + "某" : null;
        return new NoticeTraits(
            Guid.NewGuid(), random.NextDouble() < 0.03 ? "unknown" : person.Sex, Math.Max(0, estimate - spread), estimate + spread,
            random.NextDouble() < 0.9 ? person.HeightFound + random.Next(-3, 4) : null, person.FoundOn,
            person.Found.Code, random.NextDouble() < 0.75 ? Vocabulary.Accent(random, person.Province) : null, name,
            Describe(random, seen, Vocabulary.Features), Describe(random, clothes, Vocabulary.Clothes), Misspell(random, person.FoundPlace));
    }

    private static ReportTraits ReportOf(Person person, Random random)
    {
        var recalled = person.Features.Where(_ => random.NextDouble() < 0.85).ToList();
        var dayKnown = random.NextDouble() < 0.7;
        return new ReportTraits(
            Guid.NewGuid(), person.Sex, Math.Max(0, person.AgeThen + (random.NextDouble() < 0.2 ? random.Next(-1, 2) : 0)),
            person.LastSeenOn.Year, dayKnown ? person.LastSeenOn : null,
            random.NextDouble() < 0.7 ? person.HeightThen + random.Next(-5, 6) : null,
            random.NextDouble() < 0.7 ? person.LastSeen.Code : null,
            random.NextDouble() < 0.6 ? Vocabulary.Accent(random, person.Province) : null, person.Name,
            Describe(random, recalled, Vocabulary.Features), Describe(random, person.ClothesThen, Vocabulary.Clothes),
            Misspell(random, person.LastSeenPlace));
    }

    private static int[] Pick(Random random, int of, int count) =>
        Enumerable.Range(0, of).OrderBy(_ => random.Next()).Take(count).ToArray();

    /// <summary>Each item in one of its wordings, in any order, joined as people write them.</summary>
    private static string? Describe(Random random, IEnumerable<int> items, string[][] wordings)
    {
        var phrases = items.Distinct().OrderBy(_ => random.Next()).Select(item => wordings[item][random.Next(wordings[item].Length)]).ToList();
        if (phrases.Count == 0)
        {
            return null;
        }

        return string.Join(random.Next(3) switch { 0 => "，", 1 => "；", _ => "、" }, phrases) + (random.Next(2) == 0 ? "。" : "");
    }

    /// <summary>A place as a family or a clerk may write it: now and then a character replaced by one that sounds alike.</summary>
    private static string Misspell(Random random, string place)
    {
        if (random.NextDouble() >= 0.3)
        {
            return place;
        }

        var chars = place.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (Vocabulary.SoundsAlike.TryGetValue(chars[i], out var other) && random.NextDouble() < 0.6)
            {
                chars[i] = other;
                break;
            }
        }

        return new string(chars);
    }

    private sealed record County(string Code, string Name);

    private static class Vocabulary
    {
        public static readonly string[][] Features =
        [
            ["左眉有痣", "左边眉毛上有颗痣", "左眉处一颗黑痣"],
            ["右手缺一根手指", "右手少一指", "右手食指缺失"],
            ["门牙缺失", "缺了颗门牙", "上门牙掉了"],
            ["额头有疤", "额头上有一道伤疤", "前额有疤痕"],
            ["左耳后有胎记", "左耳有块胎记", "左耳胎记"],
            ["走路跛脚", "腿有点瘸", "走路一瘸一拐"],
            ["说话结巴", "口吃", "说话结结巴巴"],
            ["右脸有酒窝", "右脸颊酒窝", "笑起来右脸有酒窝"],
            ["秃顶", "头顶秃了", "头发稀少秃顶"],
            ["戴眼镜", "近视戴眼镜", "戴一副黑框眼镜"],
            ["左臂有纹身", "左胳膊纹身", "左臂纹了字"],
            ["驼背", "背有点驼", "弯腰驼背"],
            ["耳聋", "听力不好", "耳朵背听不清"],
            ["斜视", "斜眼", "眼睛有点斜视"],
            ["左手六指", "左手多一根手指", "左手六个指头"],
            ["嘴角有痣", "嘴边有颗痣", "嘴角一颗痣"],
            ["下巴有疤", "下巴上一道疤", "下巴有疤痕"],
            ["头上有手术疤痕", "头部开刀留疤", "头上有开刀的疤"],
            ["牙齿发黄", "一口黄牙", "牙齿黄"],
            ["右腿有烫伤疤", "右腿烫伤留疤", "右小腿有烫疤"],
            ["智力低下", "智力有些障碍", "反应迟钝智力差"],
            ["脖子上有胎记", "颈部有胎记", "脖子一块胎记"],
            ["鹰钩鼻", "鼻子有点鹰钩", "鹰钩鼻子"],
            ["左眼失明", "左眼看不见", "左眼瞎了"],
            ["满脸雀斑", "脸上有雀斑", "脸上很多雀斑"],
            ["双眼皮大眼睛", "大眼睛双眼皮", "眼睛大是双眼皮"],
            ["右耳缺一块", "右耳残缺", "右耳朵少了一块"],
            ["手背有烟疤", "手背上烟头烫疤", "手上有烟疤"],
            ["胸口有刀疤", "胸前一道刀疤", "胸部有刀伤疤痕"],
            ["龅牙", "牙齿外凸", "有点龅牙"],
        ];

        public static readonly string[][] Clothes =
        [
            ["蓝色上衣", "穿蓝上衣", "蓝色外套"],
            ["黑色裤子", "黑裤子", "穿黑长裤"],
            ["灰色毛衣", "灰毛衣", "穿灰色针织衫"],
            ["红色棉袄", "红棉袄", "穿红色羽绒服"],
            ["军绿色大衣", "绿色军大衣", "穿军大衣"],
            ["白色运动鞋", "白球鞋", "穿白色旅游鞋"],
            ["黑色布鞋", "黑布鞋", "老式布鞋"],
            ["牛仔裤", "蓝色牛仔裤", "穿牛仔裤"],
            ["格子衬衫", "格子衬衣", "穿方格衬衫"],
            ["迷彩服", "穿迷彩服", "迷彩外套"],
            ["黄色帽子", "戴黄帽子", "黄色鸭舌帽"],
            ["花裙子", "碎花裙", "穿花色连衣裙"],
        ];

        public static readonly string[] Provinces = ["山西", "河南", "陕西", "河北", "山东", "四川", "甘肃", "湖南", "安徽", "黑龙江"];
        private static readonly string[] ProvinceCodes = ["14", "41", "61", "13", "37", "51", "62", "43", "34", "23"];

        public static string Accent(Random random, int province) => random.Next(3) switch
        {
            0 => Provinces[province] + "口音",
            1 => Provinces[province] + "话",
            _ => "说" + Provinces[province] + "方言",
        };

        private static readonly string[] CountyNames =
            ["东城", "西城", "南关", "北关", "城关", "新区", "河东", "河西", "山前", "山后", "临河", "古城", "平原", "石桥", "柳林"];

        public static County CountyIn(Random random, int province)
        {
            var prefecture = random.Next(1, 8);
            return CountyInPrefecture(random, ProvinceCodes[province] + prefecture.ToString("00", System.Globalization.CultureInfo.InvariantCulture));
        }

        public static County CountyInPrefecture(Random random, County near) => CountyInPrefecture(random, near.Code[..4]);

        private static County CountyInPrefecture(Random random, string prefecture)
        {
            var county = random.Next(1, 16);
            var code = prefecture + county.ToString("00", System.Globalization.CultureInfo.InvariantCulture);
            var province = Array.IndexOf(ProvinceCodes, code[..2]);
            return new County(code, Provinces[province] + CountyNames[county - 1] + "县");
        }

        public static readonly string[] Places = ["火车站广场", "汽车站附近", "人民公园", "菜市场门口", "解放路桥下", "医院门口", "集贸市场", "高速路口"];

        public static readonly Dictionary<char, char> SoundsAlike = new()
        {
            ['站'] = '战', ['场'] = '厂', ['车'] = '扯', ['园'] = '元', ['市'] = '事', ['路'] = '璐', ['桥'] = '乔', ['院'] = '园',
            ['县'] = '现', ['城'] = '成', ['河'] = '合', ['关'] = '官', ['山'] = '衫', ['林'] = '临', ['口'] = '扣',
        };

        public static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "胡", "郭", "何", "高", "林", "罗", "郑"];

        public static readonly string[] GivenNames =
            ["建国", "秀英", "桂兰", "志强", "玉兰", "海燕", "文华", "明", "伟", "芳", "丽", "军", "勇", "静", "磊", "洋", "艳", "杰", "娟", "涛",
             "小红", "国庆", "春花", "德福", "长生", "金凤", "根生", "翠花", "保国", "红梅"];
    }
}
