namespace NanoBanana.Imaging;

/// <summary>
/// SSIM, PSNR and plain differences between two images of the same size, on the RGB channels.
/// SSIM is the value scikit-image gives for <c>structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
/// use_sample_covariance=False, data_range=255, channel_axis=2)</c>: an 11×11 Gaussian window (σ 1.5,
/// truncated at 3.5σ) applied separably with SciPy's 'reflect' border, K1 = 0.01, K2 = 0.03, population
/// (co)variances, the SSIM map cropped by 5 pixels on each side, averaged, then averaged over channels.
/// Unlike scikit-image it also answers for images smaller than the window (the reflected border is well defined).
/// </summary>
public static class ImageComparison
{
    private const double Sigma = 1.5;
    private const int Radius = 5; // int(3.5 * 1.5 + 0.5), scikit-image's truncate = 3.5
    private const double DataRange = 255;
    private const double C1 = (0.01 * DataRange) * (0.01 * DataRange);
    private const double C2 = (0.03 * DataRange) * (0.03 * DataRange);

    private static readonly double[] Window = GaussianWindow();

    public static ImageComparisonResult Compare(RgbaImage reference, RgbaImage other)
    {
        RequireSameSize(reference, other);
        double ssim = 0;
        for (int channel = 0; channel < 3; channel++) ssim += ChannelSsim(reference, other, channel);
        var (maxDifference, differing, squaredError) = Differences(reference, other);
        int pixels = reference.Width * reference.Height;
        double mse = squaredError / (3.0 * pixels);
        double psnr = mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(DataRange * DataRange / mse);
        return new ImageComparisonResult(reference.Width, reference.Height, ssim / 3, psnr, maxDifference, (double)differing / pixels);
    }

    /// <summary>
    /// A picture of where two images differ: the reference faded to grey, with differing pixels in red,
    /// brighter the larger the difference (amplified 4× so small errors show).
    /// </summary>
    public static RgbaImage CreateDiffImage(RgbaImage reference, RgbaImage other)
    {
        RequireSameSize(reference, other);
        var a = reference.Pixels;
        var b = other.Pixels;
        var output = new byte[a.Length];
        for (int i = 0; i < a.Length; i += RgbaImage.BytesPerPixel)
        {
            int d = Math.Max(Math.Abs(a[i] - b[i]), Math.Max(Math.Abs(a[i + 1] - b[i + 1]), Math.Abs(a[i + 2] - b[i + 2])));
            byte grey = (byte)((a[i] * 77 + a[i + 1] * 150 + a[i + 2] * 29) >> 8);
            byte faded = (byte)(128 + grey / 4);
            output[i] = d == 0 ? faded : (byte)Math.Min(255, 64 + 4 * d);
            output[i + 1] = d == 0 ? faded : (byte)0;
            output[i + 2] = d == 0 ? faded : (byte)0;
            output[i + 3] = 255;
        }
        return new RgbaImage(reference.Width, reference.Height, output, hasAlpha: false);
    }

    private static void RequireSameSize(RgbaImage a, RgbaImage b)
    {
        if (a.Width != b.Width || a.Height != b.Height) throw new ImageSizeMismatchException(a.Width, a.Height, b.Width, b.Height);
    }

    private static (int Max, long Differing, double SquaredError) Differences(RgbaImage reference, RgbaImage other)
    {
        var a = reference.Pixels;
        var b = other.Pixels;
        int max = 0;
        long differing = 0;
        double squared = 0;
        for (int i = 0; i < a.Length; i += RgbaImage.BytesPerPixel)
        {
            bool differs = false;
            for (int c = 0; c < 3; c++)
            {
                int d = Math.Abs(a[i + c] - b[i + c]);
                if (d == 0) continue;
                differs = true;
                max = Math.Max(max, d);
                squared += d * d;
            }
            if (differs) differing++;
        }
        return (max, differing, squared);
    }

    private static double ChannelSsim(RgbaImage reference, RgbaImage other, int channel)
    {
        int w = reference.Width, h = reference.Height, n = w * h;
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = reference.Pixels[i * RgbaImage.BytesPerPixel + channel];
            y[i] = other.Pixels[i * RgbaImage.BytesPerPixel + channel];
        }
        var ux = Filter(x, w, h);
        var uy = Filter(y, w, h);
        var uxx = Filter(Product(x, x), w, h);
        var uyy = Filter(Product(y, y), w, h);
        var uxy = Filter(Product(x, y), w, h);

        // Mean of the SSIM map over the interior, as scikit-image crops (win_size - 1) / 2 from each side.
        int x0 = Math.Min(Radius, w), x1 = Math.Max(x0, w - Radius), y0 = Math.Min(Radius, h), y1 = Math.Max(y0, h - Radius);
        double sum = 0;
        for (int row = y0; row < y1; row++)
        {
            for (int col = x0; col < x1; col++)
            {
                int i = row * w + col;
                double vx = uxx[i] - ux[i] * ux[i];
                double vy = uyy[i] - uy[i] * uy[i];
                double vxy = uxy[i] - ux[i] * uy[i];
                double a1 = 2 * ux[i] * uy[i] + C1, a2 = 2 * vxy + C2;
                double b1 = ux[i] * ux[i] + uy[i] * uy[i] + C1, b2 = vx + vy + C2;
                sum += a1 * a2 / (b1 * b2);
            }
        }
        int count = (x1 - x0) * (y1 - y0);
        return count == 0 ? 1.0 : sum / count;
    }

    private static double[] Product(double[] a, double[] b)
    {
        var product = new double[a.Length];
        for (int i = 0; i < a.Length; i++) product[i] = a[i] * b[i];
        return product;
    }

    /// <summary>Gaussian-filters a plane: along columns (SciPy's axis 0) first, then along rows.</summary>
    private static double[] Filter(double[] source, int w, int h)
    {
        var vertical = new double[source.Length];
        ImageRows.ForEach(0, h, row =>
        {
            for (int col = 0; col < w; col++)
            {
                double s = 0;
                for (int k = -Radius; k <= Radius; k++) s += Window[k + Radius] * source[Reflect(row + k, h) * w + col];
                vertical[row * w + col] = s;
            }
        });
        var result = new double[source.Length];
        ImageRows.ForEach(0, h, row =>
        {
            int offset = row * w;
            for (int col = 0; col < w; col++)
            {
                double s = 0;
                for (int k = -Radius; k <= Radius; k++) s += Window[k + Radius] * vertical[offset + Reflect(col + k, w)];
                result[offset + col] = s;
            }
        });
        return result;
    }

    /// <summary>SciPy's 'reflect' (half-sample symmetric) index: d c b a | a b c d | d c b a, repeated for short lines.</summary>
    private static int Reflect(int i, int n)
    {
        int period = 2 * n;
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - 1 - i;
    }

    private static double[] GaussianWindow()
    {
        var window = new double[2 * Radius + 1];
        double sum = 0;
        for (int k = -Radius; k <= Radius; k++) sum += window[k + Radius] = Math.Exp(-0.5 * k * k / (Sigma * Sigma));
        for (int k = 0; k < window.Length; k++) window[k] /= sum;
        return window;
    }
}
