namespace VideoAspire.Tests.Unit;

public sealed class BackoffTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(1000, 30)]
    public void The_delay_doubles_from_the_first_and_stops_at_the_longest(int attempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Backoff.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));
}
