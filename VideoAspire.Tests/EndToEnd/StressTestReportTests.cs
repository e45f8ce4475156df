using System.Text.RegularExpressions;
using System.Xml.Linq;
using VideoAspire.Api.Security;
using VideoAspire.StressTest;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.EndToEnd;

/// <summary>
/// A short `make stress-test` run against the real product: users ramp at the spawn rate, every kind of request is
/// sent, and the HTML report is self-contained (nothing to fetch) with its parameters, the table per endpoint and
/// three charts over time.
/// </summary>
[Trait(TestCategory.Name, TestCategory.EndToEnd)]
[Collection(AppHostCollection.Name)]
public sealed partial class StressTestReportTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_short_run_sends_the_whole_mix_and_writes_a_self_contained_report()
    {
        var reports = Directory.CreateTempSubdirectory("videoaspire-stress-");
        try
        {
            var options = new StressOptions
            {
                Url = fixture.Api.BaseAddress!,
                Users = 6,
                SpawnRate = 4, // all six started after 1.5 s
                Duration = TimeSpan.FromSeconds(4),
                ThinkTime = TimeSpan.FromMilliseconds(120),
                ColdShare = 0.05,
                BatchShare = 0.1,
                RevalidateShare = 0.3,
                WriteShare = 0.05,
                ReadToken = TestTokens.Create(Scopes.VideosRead, subject: "stress-reader"),
                WriteToken = TestTokens.Create(Scopes.VideosWrite, subject: "stress-writer"),
                Channels = await File.ReadAllLinesAsync(Repository.PathOf("benchmarks", "channels.txt")),
                ReportDirectory = reports.FullName,
                Interactive = false,
            };
            options.Validate();
            var recorder = new RunRecorder(TimeProvider.System);

            await new StressRun(options, recorder).RunAsync(CancellationToken.None);
            var path = HtmlReport.Write(options, recorder, DateTimeOffset.UtcNow);

            // The run: every user started and stopped, every kind of request answered, none failed.
            Assert.Equal(0, recorder.Users);
            Assert.Equal(6, recorder.Seconds().Max(s => s.Users));
            var endpoints = recorder.Endpoints.ToDictionary(e => e.Name);
            Assert.Superset(new HashSet<string> { StressRun.Read, StressRun.BatchRead, StressRun.Revalidation }, endpoints.Keys.ToHashSet());
            Assert.All(endpoints.Values, e => Assert.Equal(0, e.Failures));
            Assert.Contains(304, endpoints[StressRun.Revalidation].Statuses.Keys);

            // The report: well-formed markup with no external reference (it must open offline).
            var html = await File.ReadAllTextAsync(path);
            Assert.DoesNotMatch(ExternalReference(), html);
            var body = XElement.Parse(html[html.IndexOf("<body>", StringComparison.Ordinal)..(html.IndexOf("</body>", StringComparison.Ordinal) + 7)]);
            var parameters = body.Descendants("table").Single(t => (string?)t.Attribute("id") == "parameters");
            Assert.Contains(parameters.Descendants("tr"), row => row.Value.StartsWith("Users6", StringComparison.Ordinal));
            var rows = body.Descendants("table").Single(t => (string?)t.Attribute("id") == "endpoints").Descendants("tr").Skip(1).ToList();
            Assert.Equal(endpoints.Count, rows.Count);
            foreach (var chart in new[] { "requests", "latency", "statuses" })
            {
                var figure = body.Descendants("figure").Single(f => (string?)f.Attribute("id") == chart);
                var lines = figure.Descendants().Where(e => e.Name.LocalName == "polyline").ToList();
                Assert.NotEmpty(lines);
                Assert.All(lines, line => Assert.True(((string)line.Attribute("points")!).Split(' ').Length >= 4, $"{chart}: a point per second"));
            }
        }
        finally
        {
            reports.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("http://10.0.0.5:5080")]
    [InlineData("https://videos.example.com")]
    public void Anything_but_loopback_is_refused_unless_allowed(string url)
    {
        var options = new StressOptions { Url = new Uri(url), Channels = ["UC0032Wkd3aCT4rRi1YOVc2d"] };

        Assert.Throws<ArgumentException>(options.Validate);
        (options with { AllowRemote = true }).Validate();
    }

    // src/href attributes, CSS url() or @import pointing anywhere: a self-contained report has none.
    [GeneratedRegex(@"\b(src|href)\s*=|url\(|@import", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
