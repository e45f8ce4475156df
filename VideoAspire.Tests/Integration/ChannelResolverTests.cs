using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VideoAspire.Api.Resolution;
using VideoAspire.Api.Security;
using VideoAspire.Redis.Caching;
using VideoAspire.Redis.Quota;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Integration;

/// <summary>
/// Which channel a handle or URL names, against a real Redis and PostgreSQL and the YouTube stand-in (Data API
/// <c>forHandle</c>/<c>forUsername</c>, channel pages), with the Api's own services and no AppHost.
/// </summary>
[Collection(StoresCollection.Name)]
public sealed class ChannelResolverTests(StoresFixture stores) : IAsyncLifetime
{
    private FakeYouTube _youTube = null!;
    private readonly List<IHost> _hosts = [];

    public async Task InitializeAsync() => _youTube = await FakeYouTube.StartAsync();

    public async Task DisposeAsync()
    {
        _hosts.ForEach(host => host.Dispose());
        await _youTube.DisposeAsync();
    }

    private ChannelResolver Resolver(bool apiKey = true, string handleTtl = "1.00:00:00", int coldLookups = 10_000)
    {
        var host = ApiServices.Build([stores.ConnectionStrings, new Dictionary<string, string?>
        {
            ["YouTube:ApiBaseUrl"] = _youTube.BaseUrl,
            ["YouTube:FeedBaseUrl"] = _youTube.BaseUrl,
            ["YouTube:ApiKey"] = apiKey ? FakeYouTube.ApiKey : null,
            ["YouTube:AttemptTimeout"] = "00:00:03",
            ["YouTube:TotalTimeout"] = "00:00:06",
            ["YouTube:HandleTtl"] = handleTtl,
            ["RateLimiting:ColdLookupsPerMinute"] = coldLookups.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }], builder => builder.Services.Configure<RateLimitingOptions>(builder.Configuration.GetSection(RateLimitingOptions.SectionName)));
        _hosts.Add(host);
        return host.Services.GetRequiredService<ChannelResolver>();
    }

    private static ChannelReference Reference(string input) =>
        ChannelReference.TryParse(input, out var reference) ? reference : throw new ArgumentException(input);

    private static Task<ReferenceLookup> ResolveAsync(ChannelResolver resolver, string input, string caller = "resolver-tests") =>
        resolver.ResolveAsync(Reference(input), new Caller(caller, null), CancellationToken.None);

    /// <summary>A handle nobody else in the run uses (the stand-in's and the stores' state outlive a test).</summary>
    private static string NewName(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..24];

    [Fact]
    public async Task Every_form_of_one_handle_shares_one_resolution_from_the_data_api()
    {
        var name = NewName("Handle");
        var channel = _youTube.AddChannel(TestCatalog.NewChannelId(), "By handle");
        channel.Handle = name;
        var resolver = Resolver();

        string[] forms = [$"@{name}", $"@{name.ToUpperInvariant()}", $"youtube.com/@{name}", $"https://m.youtube.com/@{name.ToLowerInvariant()}/videos?x=1"];
        foreach (var form in forms)
        {
            var found = Assert.IsType<ReferenceLookup.Found>(await ResolveAsync(resolver, form));
            Assert.Equal(channel.Id, found.ChannelId);
            Assert.Equal("@" + name.ToLowerInvariant(), found.Handle);
            Assert.Equal("By handle", found.Title);
        }

        Assert.Equal(1, _youTube.Calls("channels:forHandle", "@" + name.ToLowerInvariant()));
        Assert.Equal(0, _youTube.Calls("page", "/@" + name.ToLowerInvariant()));

        // Another replica (a new instance: nothing in its memory) finds it in Redis; with Redis emptied, in PostgreSQL.
        var other = Resolver();
        Assert.Equal(channel.Id, Assert.IsType<ReferenceLookup.Found>(await ResolveAsync(other, $"@{name}")).ChannelId);
        await stores.Redis.GetDatabase().KeyDeleteAsync(CacheKeys.Resolution("@" + name.ToLowerInvariant()));
        Assert.Equal(channel.Id, Assert.IsType<ReferenceLookup.Found>(await ResolveAsync(Resolver(), $"@{name}")).ChannelId);
        Assert.Equal(1, _youTube.Calls("channels:forHandle", "@" + name.ToLowerInvariant()));
        Assert.Equal(channel.Id, await stores.Database.CreateCommand(
            $"SELECT channel_id FROM channel_references WHERE reference = '@{name.ToLowerInvariant()}'").ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_username_asks_for_username_and_a_custom_url_reads_the_page()
    {
        var channel = _youTube.AddChannel(TestCatalog.NewChannelId(), "Legacy");
        channel.Username = NewName("User");
        channel.CustomName = NewName("Custom");
        var resolver = Resolver();

        Assert.Equal(channel.Id, Assert.IsType<ReferenceLookup.Found>(await ResolveAsync(resolver, $"https://www.youtube.com/user/{channel.Username}")).ChannelId);
        var custom = Assert.IsType<ReferenceLookup.Found>(await ResolveAsync(resolver, $"youtube.com/c/{channel.CustomName}/videos"));

        Assert.Equal(channel.Id, custom.ChannelId);
        Assert.Equal("Legacy", custom.Title); // from the page's head
        Assert.Equal(1, _youTube.Calls("channels:forUsername", channel.Username.ToLowerInvariant()));
        Assert.Equal(1, _youTube.Calls("page", "/c/" + channel.CustomName.ToLowerInvariant()));
    }

    [Fact]
    public async Task Without_a_key_the_channel_page_answers()
    {
        var channel = _youTube.AddChannel(TestCatalog.NewChannelId(), "Keyless");
        channel.Handle = NewName("Page");
        var resolver = Resolver(apiKey: false);

        var found = Assert.IsType<ReferenceLookup.Found>(await ResolveAsync(resolver, "@" + channel.Handle));

        Assert.Equal(channel.Id, found.ChannelId);
        Assert.Equal(0, _youTube.Calls("channels:forHandle", "@" + channel.Handle.ToLowerInvariant()));
        Assert.Equal(1, _youTube.Calls("page", "/@" + channel.Handle.ToLowerInvariant()));
    }

    [Fact]
    public async Task An_unknown_handle_is_not_found_and_remembered()
    {
        var name = NewName("Nobody");
        var resolver = Resolver();

        Assert.IsType<ReferenceLookup.NotFound>(await ResolveAsync(resolver, "@" + name));
        Assert.IsType<ReferenceLookup.NotFound>(await ResolveAsync(resolver, "@" + name));
        Assert.IsType<ReferenceLookup.NotFound>(await ResolveAsync(Resolver(), "@" + name)); // another replica: from Redis

        Assert.Equal(1, _youTube.Calls("channels:forHandle", "@" + name.ToLowerInvariant()));
    }

    [Fact]
    public async Task A_page_that_redirects_to_another_host_cannot_answer_and_that_host_is_never_asked()
    {
        await using var consent = await FakeYouTube.StartAsync();
        var channel = _youTube.AddChannel(TestCatalog.NewChannelId(), "Behind consent");
        channel.Handle = NewName("Consent");
        consent.AddChannel(channel.Id).Handle = channel.Handle;
        _youTube.PagesRedirectTo = consent.BaseUrl + "/@" + channel.Handle;
        var resolver = Resolver(apiKey: false);

        var unavailable = Assert.IsType<ReferenceLookup.Unavailable>(await ResolveAsync(resolver, "@" + channel.Handle));

        Assert.Contains("redirect", unavailable.Reason, StringComparison.Ordinal);
        Assert.Equal(1, _youTube.Calls("page", "/@" + channel.Handle.ToLowerInvariant()));
        Assert.Equal(0, consent.Calls("page", "/@" + channel.Handle.ToLowerInvariant()));
    }

    [Fact]
    public async Task A_handle_moved_to_another_channel_resolves_to_the_new_one_after_the_ttl()
    {
        var name = NewName("Moving");
        var before = _youTube.AddChannel(TestCatalog.NewChannelId(), "Before");
        before.Handle = name;
        var resolver = Resolver(handleTtl: "00:00:01");
        Assert.Equal(before.Id, Assert.IsType<ReferenceLookup.Found>(await ResolveAsync(resolver, "@" + name)).ChannelId);

        before.Handle = null;
        var after = _youTube.AddChannel(TestCatalog.NewChannelId(), "After");
        after.Handle = name;
        Assert.Equal(before.Id, Assert.IsType<ReferenceLookup.Found>(await ResolveAsync(resolver, "@" + name)).ChannelId); // still believed

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Equal(after.Id, Assert.IsType<ReferenceLookup.Found>(await ResolveAsync(resolver, "@" + name)).ChannelId);
        Assert.Equal(2, _youTube.Calls("channels:forHandle", "@" + name.ToLowerInvariant()));
    }

    [Fact]
    public async Task Twenty_concurrent_first_resolutions_on_two_replicas_ask_youtube_once()
    {
        var channel = _youTube.AddChannel(TestCatalog.NewChannelId(), "Popular", api: ApiMode.Slow); // the others arrive meanwhile
        channel.Handle = NewName("Popular");
        ChannelResolver[] replicas = [Resolver(), Resolver()];

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => ResolveAsync(replicas[i % 2], "@" + channel.Handle, $"caller-{i}")));

        Assert.All(results, result => Assert.Equal(channel.Id, Assert.IsType<ReferenceLookup.Found>(result).ChannelId));
        Assert.Equal(1, _youTube.Calls("channels:forHandle", "@" + channel.Handle.ToLowerInvariant()));
    }

    [Fact]
    public async Task A_resolution_counts_against_the_callers_cold_lookups_and_data_api_units()
    {
        var caller = NewName("caller");
        var first = _youTube.AddChannel(TestCatalog.NewChannelId());
        first.Handle = NewName("First");
        var second = _youTube.AddChannel(TestCatalog.NewChannelId());
        second.Handle = NewName("Second");
        var resolver = Resolver(coldLookups: 1);

        Assert.IsType<ReferenceLookup.Found>(await ResolveAsync(resolver, "@" + first.Handle, caller));
        Assert.IsType<ReferenceLookup.Found>(await ResolveAsync(resolver, "@" + first.Handle, caller)); // known: free
        Assert.IsType<ReferenceLookup.Throttled>(await ResolveAsync(resolver, "@" + second.Handle, caller));

        var spent = await stores.Redis.GetDatabase().StringGetAsync(DataApiQuota.CallerKeyFor(DateTimeOffset.UtcNow, new Caller(caller, null).Key));
        Assert.Equal(1, (int)spent);
    }
}
