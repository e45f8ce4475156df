
namespace VideoAspire.Tests.Unit;

public sealed class ChannelIdTests
{
    [Theory]
    [InlineData("UC0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData("UC6qq5ZRn_epjgdKwtgmeSd3")]
    [InlineData("UC-_-_-_-_-_-_-_-_-_-_-_")]
    public void Accepts_well_formed_ids(string id) => Assert.True(ChannelId.IsValid(id));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("UC")]
    [InlineData("UC0032Wkd3aCT4rRi1YOVc2")]
    [InlineData("UC0032Wkd3aCT4rRi1YOVc2dd")]
    [InlineData("UU0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData("uc0032Wkd3aCT4rRi1YOVc2d")]
    [InlineData("UC0032Wkd3aCT4rRi1YOVc2d\n")]
    [InlineData("UC0032Wkd3aCT4rRi1YOVc\u00e92")]
    [InlineData("UC0032Wkd3aCT4rRi1 YOVc2")]
    public void Rejects_everything_else(string? id) => Assert.False(ChannelId.IsValid(id));
}
