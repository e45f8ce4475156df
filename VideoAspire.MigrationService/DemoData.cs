using VideoAspire.Data;

namespace VideoAspire.MigrationService;

/// <summary>
/// A deterministic demo catalogue (a few hundred channels with plausible titles) so a fresh machine with no
/// internet answers at once. Same seed, same data, on every machine.
/// </summary>
internal static class DemoData
{
    public const int ChannelCount = 400;

    /// <summary>Channels the README's examples use; always present.</summary>
    public static readonly string[] WellKnownChannelIds = ["UC0032Wkd3aCT4rRi1YOVc2d", "UC6qq5ZRn_epjgdKwtgmeSd3"];

    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static readonly DateTimeOffset Epoch = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly (string Topic, string[] Hosts, string[] Titles)[] Themes =
    [
        ("Cooking", ["Kitchen Notes", "Weeknight Pantry", "Sourdough Lab", "Spice Route Kitchen"],
            ["{0}-minute weeknight {1}", "The only {1} recipe you need", "Why your {1} is soggy (and how to fix it)",
             "I tried every viral {1} hack", "Restaurant-style {1} at home", "{1} on a $10 budget"]),
        ("Woodworking", ["Shavings & Sawdust", "Garage Joinery", "The Hand Tool Bench"],
            ["Building a {1} from one board", "Hand-cut dovetails for a {1}", "{0} mistakes I made on my first {1}",
             "Restoring a 1950s {1}", "Flattening a {1} without a jointer"]),
        ("Programming", ["Code in Practice", "Async Await Daily", "Compiler Corner", "Terminal Talk"],
            ["Rewriting our {1} in {0} lines", "{1} explained in {0} minutes", "Debugging a {1} race condition live",
             "Why is my {1} slow? Profiling step by step", "Building a {1} from scratch — Part {0}"]),
        ("Travel", ["Slow Trains Everywhere", "Backpack & Map", "Overland Diaries"],
            ["{0} days crossing the {1} by train", "What $50 gets you in {1}", "The {1} nobody visits",
             "Night bus to {1}: was it worth it?", "Eating only street food in {1} for {0} days"]),
        ("Science", ["Curious Lab", "Physics Fridays", "The Microscope Hour"],
            ["How does a {1} actually work?", "We measured a {1} {0} times", "The {1} paradox, explained",
             "Inside a {1} at 10,000 fps", "{0} myths about the {1}"]),
        ("Music", ["Chord Theory Club", "Bedroom Studio", "Drum Room Sessions"],
            ["Writing a song around a {1} in {0} minutes", "The {1} trick every producer uses", "{1} — live session #{0}",
             "Why this {1} sounds so good", "Mixing {1} with stock plugins only"]),
        ("Gaming", ["Speedrun Archive", "Retro Cartridge", "Indie Spotlight"],
            ["{1}: any% world record attempt #{0}", "Every secret in {1}", "Is {1} still worth playing?",
             "I beat {1} without taking damage", "The history of {1} in {0} minutes"]),
        ("Fitness", ["Daily Mobility", "Run Club Weekly", "Home Gym Basics"],
            ["{0}-minute {1} routine", "Fixing your {1} form", "{1} for beginners: week {0}",
             "I did {1} every day for {0} days", "The science of {1} recovery"]),
    ];

    private static readonly string[][] Subjects =
    [
        ["ramen", "risotto", "focaccia", "dal", "paella", "dumplings", "shakshuka", "curry"],
        ["workbench", "bookshelf", "stool", "cutting board", "tool chest", "dining table", "box"],
        ["HTTP server", "cache layer", "job scheduler", "parser", "rate limiter", "database driver", "CLI"],
        ["Balkans", "Andes", "Scottish Highlands", "Mekong", "Atacama", "Baltic coast", "Caucasus"],
        ["heat pump", "rainbow", "transistor", "black hole", "tide", "jet engine", "battery"],
        ["tritone substitution", "drum groove", "bass line", "synth pad", "vocal harmony", "guitar riff"],
        ["Super Metroid", "Celeste", "Hollow Knight", "Zelda: A Link to the Past", "Outer Wilds", "Doom"],
        ["mobility", "kettlebell", "5k", "pull-up", "squat", "stretching", "interval"],
    ];

    private static readonly string[] Suffixes = ["", " TV", " Studio", " with Sam", " Daily", " HQ", " Lab", " & Friends"];

    public static (List<Channel> Channels, int VideoCount) Generate()
    {
        var random = new Random(20261125);
        var channels = new List<Channel>(ChannelCount);
        var usedVideoIds = new HashSet<string>();
        var videoCount = 0;

        for (var i = 0; i < ChannelCount; i++)
        {
            var themeIndex = i % Themes.Length;
            var (topic, hosts, titles) = Themes[themeIndex];
            var channel = new Channel
            {
                Id = i < WellKnownChannelIds.Length ? WellKnownChannelIds[i] : "UC" + RandomId(random, 22),
                Title = $"{hosts[random.Next(hosts.Length)]}{Suffixes[random.Next(Suffixes.Length)]}",
                CreatedAt = Epoch,
            };
            if (channel.Title.Length > 0 && i >= Themes.Length)
            {
                channel.Title += $" #{i / Themes.Length}";
            }

            var published = Epoch.AddHours(-random.Next(1, 24 * 30));
            var videos = random.Next(6, 16);
            for (var v = 0; v < videos; v++)
            {
                string videoId;
                do
                {
                    videoId = RandomId(random, 11);
                }
                while (!usedVideoIds.Add(videoId));

                var subject = Subjects[themeIndex][random.Next(Subjects[themeIndex].Length)];
                var title = string.Format(System.Globalization.CultureInfo.InvariantCulture, titles[random.Next(titles.Length)], random.Next(3, 31), subject);
                channel.Videos.Add(new Video
                {
                    VideoId = videoId,
                    ChannelId = channel.Id,
                    Title = char.ToUpperInvariant(title[0]) + title[1..],
                    PublishedAt = published,
                });

                // Every third upload lands on the same day as the previous one: ordering must use the full instant.
                published = v % 3 == 1
                    ? published.AddMinutes(-random.Next(5, 180))
                    : published.AddHours(-random.Next(24, 24 * 14)).AddMinutes(-random.Next(60));
            }

            videoCount += videos;
            channels.Add(channel);
        }

        return (channels, videoCount);
    }

    /// <summary>Handles of a few demo channels (the README's examples and the OpenAPI document's use the first).</summary>
    public static readonly string[] Handles = ["@kitchennotes", "@garagejoinery", "@codeinpractice", "@slowtrains", "@curiouslab"];

    /// <summary>
    /// The demo handles' resolutions, as if YouTube had been asked: the first channels get one each. They never expire
    /// (the demo channels are not on YouTube, so asking again could only lose them).
    /// </summary>
    public static List<ChannelResolutionRecord> Resolutions(IReadOnlyList<Channel> channels) =>
        [.. Handles.Zip(channels, (handle, channel) => new ChannelResolutionRecord
        {
            Reference = handle,
            ChannelId = channel.Id,
            Handle = handle,
            Title = channel.Title,
            ResolvedAt = Epoch,
            ExpiresAt = Epoch.AddYears(100),
        })];

    private static string RandomId(Random random, int length) =>
        string.Create(length, random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = IdAlphabet[r.Next(IdAlphabet.Length)];
            }
        });
}
