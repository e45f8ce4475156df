using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace VideoAspire.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running database.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<VideosDbContext>
{
    public VideosDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<VideosDbContext>()
            .UseNpgsql("Host=localhost;Database=videosdb")
            .UseSnakeCaseNamingConvention()
            .Options);
}
