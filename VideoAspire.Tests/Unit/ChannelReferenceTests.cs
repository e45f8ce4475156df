namespace VideoAspire.Tests.Unit;

/// <summary>What a person may paste to name a channel, and the one key each form normalises to.</summary>
public sealed class ChannelReferenceTests
{
    private const string Id = "UCBJycsmduvYEL83R_U4JriQ";

    public static TheoryData<string, string, ChannelReferenceKind> Accepted => new()
    {
        { Id, Id, ChannelReferenceKind.Id },
        { "@mkbhd", "@mkbhd", ChannelReferenceKind.Handle },
        { "@MKBHD", "@mkbhd", ChannelReferenceKind.Handle },
        { "  @MkBhd  ", "@mkbhd", ChannelReferenceKind.Handle },
        { "@a.b_c-d", "@a.b_c-d", ChannelReferenceKind.Handle },
        { "@日本語チャンネル", "@日本語チャンネル", ChannelReferenceKind.Handle },
        { "https://www.youtube.com/@MKBHD", "@mkbhd", ChannelReferenceKind.Handle },
        { "https://www.youtube.com/@mkbhd/videos", "@mkbhd", ChannelReferenceKind.Handle },
        { "https://m.youtube.com/@mkbhd/featured?app=desktop", "@mkbhd", ChannelReferenceKind.Handle },
        { "youtube.com/@mkbhd", "@mkbhd", ChannelReferenceKind.Handle },
        { "www.youtube.com/@mkbhd#about", "@mkbhd", ChannelReferenceKind.Handle },
        { "http://youtube.com/@mkbhd", "@mkbhd", ChannelReferenceKind.Handle },
        { "HTTPS://WWW.YOUTUBE.COM/@mkbhd", "@mkbhd", ChannelReferenceKind.Handle },
        { "https://www.youtube.com/@%E6%97%A5%E6%9C%AC%E8%AA%9E", "@日本語", ChannelReferenceKind.Handle },
        { $"https://www.youtube.com/channel/{Id}", Id, ChannelReferenceKind.Id },
        { $"https://www.youtube.com/channel/{Id}/videos?view=0", Id, ChannelReferenceKind.Id },
        { $"m.youtube.com/channel/{Id}", Id, ChannelReferenceKind.Id },
        { "https://www.youtube.com/user/marquesbrownlee", "youtube.com/user/marquesbrownlee", ChannelReferenceKind.Username },
        { "youtube.com/user/MarquesBrownlee/videos", "youtube.com/user/marquesbrownlee", ChannelReferenceKind.Username },
        { "https://www.youtube.com/c/mkbhd", "youtube.com/c/mkbhd", ChannelReferenceKind.CustomUrl },
        { "https://www.youtube.com/c/MKBHD/about?x=1", "youtube.com/c/mkbhd", ChannelReferenceKind.CustomUrl },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Every_form_people_paste_is_read_and_normalised(string input, string key, ChannelReferenceKind kind)
    {
        Assert.True(ChannelReference.TryParse(input, out var reference), input);
        Assert.Equal(key, reference.Key);
        Assert.Equal(kind, reference.Kind);
    }

    [Theory]
    [InlineData("mkbhd", "@mkbhd")]
    [InlineData("@MKBHD", "@mkbhd")]
    [InlineData(" MkBhd ", "@mkbhd")]
    public void A_handle_parameter_takes_the_at_sign_or_not(string input, string key)
    {
        Assert.True(ChannelReference.TryParseHandle(input, out var reference));
        Assert.Equal(key, reference.Key);
    }

    [Fact]
    public void Case_variants_share_one_key()
    {
        string[] variants = ["@MKBHD", "@mkbhd", "youtube.com/@MkBhd", "https://m.youtube.com/@mKbHd/videos?x=1"];
        var keys = variants.Select(v => ChannelReference.TryParse(v, out var r) ? r.Key : null).Distinct().ToList();
        Assert.Equal(["@mkbhd"], keys);
    }

    [Fact]
    public void The_page_path_is_escaped()
    {
        Assert.True(ChannelReference.TryParse("@日本語", out var handle));
        Assert.Equal("/@%E6%97%A5%E6%9C%AC%E8%AA%9E", handle.PagePath);
        Assert.True(ChannelReference.TryParse("youtube.com/c/Name", out var custom));
        Assert.Equal("/c/name", custom.PagePath);
    }

    /// <summary>Two hundred inputs that name no channel: hostile, broken or merely something else.</summary>
    public static IEnumerable<string?> Malformed()
    {
        string[] seeds =
        [
            "", " ", "@", "@a", "@ab", "@" + new string('a', 31), "@bad name", "@bad/name", "@bad?name", "@bad#name", "@bad%00name",
            "@bad\0name", "@bad\nname", "@.dot", "@-dash", "@_under", "@emoji😀", "@<script>", "@a'b", "@a\"b", "@a+b", "@a,b", "@a=b",
            "UC", "UC123", "UCBJycsmduvYEL83R_U4Jri", "UCBJycsmduvYEL83R_U4JriQQ", "UCBJycsmduvYEL83R_U4Jri!", "ucbjycsmduvyel83r_u4jriq",
            "javascript:alert(1)", "javascript://www.youtube.com/@x", "file:///etc/passwd", "file://www.youtube.com/@mkbhd",
            "ftp://www.youtube.com/@mkbhd", "data:text/html,<b>x</b>", "gopher://youtube.com/@abc", "//www.youtube.com/@mkbhd",
            "https://evil.example/@mkbhd", "https://youtube.com.evil.example/@mkbhd", "https://evilyoutube.com/@mkbhd",
            "https://www.youtube.com.attacker.net/channel/" + Id, "https://youtu.be/@mkbhd", "https://music.youtube.com/@mkbhd",
            "https://user:pass@www.youtube.com/@mkbhd", "https://user@www.youtube.com/@mkbhd", "https://www.youtube.com@evil.example/@mkbhd",
            "https://www.youtube.com:443/@mkbhd", "https://www.youtube.com:8080/@mkbhd", "https://127.0.0.1/@mkbhd", "https://[::1]/@mkbhd",
            "https://169.254.169.254/latest/meta-data", "https://localhost/@mkbhd", "https://www.youtube.com/", "https://www.youtube.com",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/channel/", "https://www.youtube.com/channel/UC123",
            "https://www.youtube.com/channel/%00", "https://www.youtube.com/user/", "https://www.youtube.com/user/a%2Fb",
            "https://www.youtube.com/user/日本", "https://www.youtube.com/c/", "https://www.youtube.com/c/a b", "https://www.youtube.com/c/%zz",
            "https://www.youtube.com/@%00abc", "https://www.youtube.com/@%zzabc", "https://www.youtube.com/@a%20bc", "https://www.youtube.com/playlist?list=UU",
            "https://www.youtube.com/results?search_query=mkbhd", "https://www.youtube.com/feeds/videos.xml?channel_id=" + Id,
            "https://www.youtube.com/@mkbhd\r\nX-Injected: 1", "https://www.youtube.com/@mk bhd", "www.youtube.com /@mkbhd",
            "mkbhd", "MKBHD", "channel/" + Id, "user/name", "c/name", "\u202e@mkbhd", "＠mkbhd", "https://ｗｗｗ.youtube.com/@mkbhd",
            "https://www.yоutube.com/@mkbhd", new string('a', 600), "https://www.youtube.com/@" + new string('a', 600),
            "https://www.youtube.com/c/" + new string('a', 101), "%40mkbhd", "%00", "\\\\server\\share", "C:\\Windows\\win.ini",
        ];

        var all = new List<string?>(seeds) { null };
        // Every seed again wrapped as a URL path on YouTube, and as a scheme-less host path: still nothing valid.
        foreach (var seed in seeds.Where(s => s.Length is > 0 and < 40 && !s.Contains('@') && !s.StartsWith("UC", StringComparison.Ordinal)))
        {
            all.Add("https://www.youtube.com/x/" + seed);
        }

        var i = 0;
        while (all.Count < 200)
        {
            all.Add($"https://www.youtube.com/@{new string('z', 31 + i++)}"); // handles over 30 characters
        }

        return all.Take(200);
    }

    public static TheoryData<string?> MalformedData => [.. Malformed()];

    [Fact]
    public void The_malformed_set_holds_two_hundred_inputs() => Assert.Equal(200, Malformed().Count());

    [Theory]
    [MemberData(nameof(MalformedData))]
    public void Anything_else_is_refused(string? input)
    {
        Assert.False(ChannelReference.TryParse(input, out _), input);
    }

    [Fact]
    public void A_handle_parameter_refuses_urls_and_ids()
    {
        Assert.False(ChannelReference.TryParseHandle("https://www.youtube.com/@mkbhd", out _));
        Assert.False(ChannelReference.TryParseHandle("@@mkbhd", out _));
        Assert.False(ChannelReference.TryParseHandle(null, out _));
    }
}
