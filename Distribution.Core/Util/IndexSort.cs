namespace ChargeManager.Distribution.Util
{
    /// <summary>
    /// Sorts an array of charger indices by a precomputed key, ties broken by index, in place and
    /// without allocating (heap sort). The tie-break makes every order total, so runs are deterministic.
    /// </summary>
    public static class IndexSort
    {
        public static void Ascending(int[] indices, int count, long[] keyByCharger)
        {
            // Ties are broken by index, so the order is total and any algorithm gives the same result.
            // Already in order (the usual case from run to run): one pass. Small groups: insertion sort,
            // which on nanoCLR beats the heap sort's calls and swaps; large ones keep O(n log n).
            int disorder = FirstOutOfOrder(indices, count, keyByCharger);
            if (disorder < 0)
                return;
            if (count <= InsertionSortUpTo)
            {
                InsertionSort(indices, disorder, count, keyByCharger);
                return;
            }
            for (int start = count / 2 - 1; start >= 0; start--)
                SiftDown(indices, start, count, keyByCharger);
            for (int end = count - 1; end > 0; end--)
            {
                int top = indices[0];
                indices[0] = indices[end];
                indices[end] = top;
                SiftDown(indices, 0, end, keyByCharger);
            }
        }

        const int InsertionSortUpTo = 64;

        /// <summary>The first position whose element belongs before its predecessor, or -1 when in order.</summary>
        static int FirstOutOfOrder(int[] a, int count, long[] key)
        {
            for (int k = 1; k < count; k++)
            {
                int x = a[k - 1], y = a[k];
                long kx = key[x], ky = key[y];
                if (ky < kx || (ky == kx && y < x))
                    return k;
            }
            return -1;
        }

        /// <summary>a[0..from) is in order; inserts the rest one by one.</summary>
        static void InsertionSort(int[] a, int from, int count, long[] key)
        {
            for (int k = from; k < count; k++)
            {
                int y = a[k];
                long ky = key[y];
                int j = k - 1;
                while (j >= 0)
                {
                    int x = a[j];
                    long kx = key[x];
                    if (!(ky < kx || (ky == kx && y < x)))
                        break;
                    a[j + 1] = x;
                    j--;
                }
                a[j + 1] = y;
            }
        }

        static void SiftDown(int[] a, int root, int count, long[] key)
        {
            while (true)
            {
                int child = 2 * root + 1;
                if (child >= count)
                    return;
                // Less(x, y) inline (a call per comparison is most of a sort's time on nanoCLR).
                int c = a[child];
                if (child + 1 < count)
                {
                    int d = a[child + 1];
                    long kc = key[c], kd = key[d];
                    if (kc < kd || (kc == kd && c < d))
                    {
                        child++;
                        c = d;
                    }
                }
                int r = a[root];
                long kr = key[r], kch = key[c];
                if (!(kr < kch || (kr == kch && r < c)))
                    return;
                a[root] = c;
                a[child] = r;
                root = child;
            }
        }
    }
}
