using Spectre.Console.Cli;
using VideoAspire.StressTest;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Unit;

/// <summary>The stress tool's command line: flags over environment variables over defaults; nothing unknown ignored.</summary>
public sealed class StressCommandLineTests
{
    private static readonly string Channels = Repository.PathOf("benchmarks", "channels.txt");

    [Theory]
    [InlineData("--user", "200")]
    [InlineData("--users", "many")]
    [InlineData("stray")]
    public async Task A_misspelt_flag_a_bad_value_or_a_stray_word_is_refused(params string[] args)
    {
        await Assert.ThrowsAnyAsync<CommandAppException>(() => StressCommand.CreateApp(propagateExceptions: true).RunAsync(args));
    }

    [Fact]
    public void A_flag_beats_its_environment_variable_which_beats_the_default()
    {
        var environment = new Dictionary<string, string> { ["USERS"] = "7", ["SPAWN_RATE"] = "3", ["DURATION"] = "90s" };
        var options = new StressSettings { Users = 20, Channels = Channels }.ToOptions(name => environment.GetValueOrDefault(name));

        Assert.Equal(20, options.Users);
        Assert.Equal(3, options.SpawnRate);
        Assert.Equal(TimeSpan.FromSeconds(90), options.Duration);
        Assert.Equal(new StressOptions().ThinkTime, options.ThinkTime);
    }

    [Fact]
    public void A_remote_target_needs_allow_remote() =>
        Assert.Throws<ArgumentException>(() => new StressSettings { Url = "http://192.0.2.1:5080", Channels = Channels }.ToOptions(_ => null));
}
