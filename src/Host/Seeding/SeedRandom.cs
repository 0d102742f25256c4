using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CoManagement.Host.Seeding;

/// <summary>
/// SplitMix64, seeded from a key. Written out rather than <see cref="Random"/> because the sequence of a seeded
/// <see cref="Random"/> is not a documented contract across .NET versions, and the demo data must not change under us.
/// One generator per member (keyed by flow and index) makes a member's history independent of the data set's size.
/// </summary>
internal sealed class SeedRandom(ulong seed)
{
    /// <summary>Changing this changes every generated member: bump it only on purpose.</summary>
    private const string Version = "comanagement-seed-1";

    private ulong _state = seed;

    public static SeedRandom For(params string[] key) => new(Hash(Version + "/" + string.Join('/', key)));

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Uniform in [min, max], both included.</summary>
    public int Between(int min, int max) => min + (int)(NextUInt64() % (ulong)(max - min + 1));

    public T Pick<T>(IReadOnlyList<T> items) => items[(int)(NextUInt64() % (ulong)items.Count)];

    /// <summary>Weighted pick; keys are sorted so the outcome never depends on a dictionary's order.</summary>
    public T Pick<T>(IReadOnlyDictionary<T, int> weights) where T : notnull
    {
        var ordered = weights.Where(w => w.Value > 0).OrderBy(w => w.Key.ToString(), StringComparer.Ordinal).ToList();
        var roll = NextDouble() * ordered.Sum(w => w.Value);
        foreach (var (item, weight) in ordered)
        {
            if ((roll -= weight) < 0)
                return item;
        }
        return ordered[^1].Key;
    }

    public T Pick<T>(IReadOnlyList<T> items, Func<T, int> weight)
    {
        var roll = NextDouble() * items.Sum(weight);
        foreach (var item in items)
        {
            if ((roll -= weight(item)) < 0)
                return item;
        }
        return items[^1];
    }

    /// <summary>A name-based UUID (version 8): the same key gives the same command id on every run, which is what makes seeding idempotent.</summary>
    public static Guid Id(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(Version + "/" + key), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    private static ulong Hash(string key)
    {
        var h = 14695981039346656037UL;
        foreach (var c in key)
            h = (h ^ c) * 1099511628211UL;
        return h;
    }
}

/// <summary>Synthetic people: plausible names, ID numbers with a valid check digit, mobile numbers. None is a real person's.</summary>
internal static class People
{
    private const string Surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
    private const string Given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志文斌辉波宁海燕峰浩亮凯俊晓彬鑫宇欣怡嘉琪佳瑶梦婷思雨涵然博一鸣家豪春林成荣新德庆福祥瑞雪梅丹晨阳光永";
    private static readonly string[] MobilePrefixes = ["135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177", "180", "181", "186", "187", "188", "189", "191", "199"];
    private static readonly int[] IdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    public static string Name(SeedRandom rng) =>
        string.Concat(Surnames[rng.Between(0, Surnames.Length - 1)].ToString(),
            Given[rng.Between(0, Given.Length - 1)].ToString(),
            rng.Chance(0.7) ? Given[rng.Between(0, Given.Length - 1)].ToString() : "");

    public static string Phone(SeedRandom rng) =>
        rng.Pick(MobilePrefixes) + rng.Between(0, 99_999_999).ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>18 characters: region of household registration, birth date, sequence, ISO 7064 MOD 11-2 check.</summary>
    public static string IdNumber(SeedRandom rng, string region, DateOnly birth)
    {
        var body = region + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + rng.Between(0, 999).ToString("D3", CultureInfo.InvariantCulture);
        var sum = body.Select((c, i) => (c - '0') * IdWeights[i]).Sum();
        return body + "10X98765432"[sum % 11];
    }
}
