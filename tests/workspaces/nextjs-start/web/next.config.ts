import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  async rewrites() {
    return [
      {
        source: "/api/products/:path*",
        destination: "http://localhost:8000/products/:path*",
      },
    ];
  },
};

export default nextConfig;
