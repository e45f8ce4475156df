using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VideoAspire.Api.Apis;
using VideoAspire.Api.WebSub;
using VideoAspire.Tests.Infrastructure;
using VideoAspire.YouTube.WebSub;

namespace VideoAspire.Tests.Unit;

/// <summary>WebSub's wire format, signatures and settings, without servers (the end-to-end tests use the stand-in hub).</summary>
public sealed class WebSubWireFormatTests
{
    private const string Channel = "UCuAXFkgsw1L7xaCfnd5JJOw";

    [Fact]
    public void An_upload_notification_becomes_one_snapshot_timed_by_its_updated_instant()
    {
        var video = new FakeVideo("dQw4w9WgXcQ", "Pushed <title> & more", new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.Zero));
        var updated = new DateTimeOffset(2026, 11, 27, 9, 31, 5, TimeSpan.Zero).AddTicks(1234567);

        var notification = WebSubNotification.Parse(Encoding.UTF8.GetBytes(FakeWebSubHub.VideoNotification(Channel, video, updated)));

        var snapshot = Assert.Single(notification.Snapshots);
        Assert.Equal(Channel, snapshot.ChannelId);
        Assert.True(snapshot.IsPushed);
        Assert.Equal(updated, snapshot.FetchedAt); // nanoseconds in the body, cut to .NET's ticks
        var pushed = Assert.Single(snapshot.Videos);
        Assert.Equal((video.VideoId, video.Title, video.PublishedAt), (pushed.VideoId, pushed.Title, pushed.PublishedAt));
    }

    [Fact]
    public void A_deleted_entry_becomes_a_removal_of_that_video_at_its_when()
    {
        var when = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

        var notification = WebSubNotification.Parse(Encoding.UTF8.GetBytes(FakeWebSubHub.DeletionNotification(Channel, "dQw4w9WgXcQ", when)));

        var snapshot = Assert.Single(notification.Snapshots);
        Assert.Empty(snapshot.Videos);
        Assert.Equal(["dQw4w9WgXcQ"], snapshot.RemovedVideoIds);
        Assert.Equal((Channel, when), (snapshot.ChannelId, snapshot.FetchedAt));
    }

    [Theory]
    [InlineData("""<!DOCTYPE feed [<!ENTITY a "x">]><feed xmlns="http://www.w3.org/2005/Atom"/>""")]
    [InlineData("not xml at all")]
    [InlineData("""<feed xmlns="http://www.w3.org/2005/Atom"><entry>""")]
    public void Bodies_that_are_not_plain_well_formed_xml_are_refused(string body)
    {
        Assert.ThrowsAny<XmlException>(() => WebSubNotification.Parse(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Entries_without_well_formed_ids_are_dropped()
    {
        var body = FakeWebSubHub.VideoNotification("UCnot-a-channel", new FakeVideo("short", "x", DateTimeOffset.UtcNow), DateTimeOffset.UtcNow);

        Assert.Empty(WebSubNotification.Parse(Encoding.UTF8.GetBytes(body)).Snapshots);
    }

    [Fact]
    public void Signatures_are_the_hmac_of_the_raw_body_with_our_secret()
    {
        var body = "<feed/>"u8.ToArray();
        const string secret = "a-secret-of-twenty-bytes";
        var sha1 = Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), body));
        var sha256 = Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

        Assert.True(WebSubCallback.HasValidSignature(body, $"sha1={sha1}", secret));
        Assert.True(WebSubCallback.HasValidSignature(body, $"sha256={sha256}", secret)); // hex in either case
        Assert.False(WebSubCallback.HasValidSignature(body, $"sha1={sha1}", secret + "x"));
        Assert.False(WebSubCallback.HasValidSignature("<feed />"u8.ToArray(), $"sha1={sha1}", secret));
        Assert.False(WebSubCallback.HasValidSignature(body, $"sha1={sha1[..^2]}", secret));
        Assert.False(WebSubCallback.HasValidSignature(body, $"md5={sha1}", secret));
        Assert.False(WebSubCallback.HasValidSignature(body, $"sha1={new string('z', 40)}", secret));
        Assert.False(WebSubCallback.HasValidSignature(body, "", secret));
    }

    [Fact]
    public void Topics_name_exactly_one_channel()
    {
        Assert.True(WebSubTopic.TryParse(WebSubTopic.Of(Channel), out var channelId));
        Assert.Equal(Channel, channelId);
        Assert.False(WebSubTopic.TryParse($"https://evil.example/?channel_id={Channel}", out _));
        Assert.False(WebSubTopic.TryParse(WebSubTopic.Of(Channel) + "&x=1", out _));
    }

    [Fact]
    public void Enabled_without_a_usable_secret_is_refused_at_startup()
    {
        var noSecret = new WebSubOptions { CallbackBaseUrl = "https://videos.example.com" };
        var shortSecret = new WebSubOptions { CallbackBaseUrl = "https://videos.example.com", Secret = "short" };
        var off = new WebSubOptions();

        Assert.Contains(Validate(noSecret), r => r.MemberNames.Contains(nameof(WebSubOptions.Secret)));
        Assert.Contains(Validate(shortSecret), r => r.MemberNames.Contains(nameof(WebSubOptions.Secret)));
        Assert.Empty(Validate(off));
        Assert.Equal("https://videos.example.com/websub/youtube", noSecret.CallbackUrl);
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("https://videos.example.com", 2)]
    public void The_callback_exists_only_when_a_callback_url_is_configured(string? callbackBaseUrl, int routes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["YouTube:WebSub:CallbackBaseUrl"] = callbackBaseUrl });
        builder.Services.AddOptions<WebSubOptions>().BindConfiguration(WebSubOptions.SectionName);
        builder.Services.AddScoped<WebSubCallback>();
        var app = builder.Build();

        app.MapWebSubCallback();

        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>();
        Assert.Equal(routes, endpoints.Count(e => e.RoutePattern.RawText?.StartsWith(WebSubOptions.CallbackPath, StringComparison.Ordinal) == true));
    }

    private static List<ValidationResult> Validate(WebSubOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
