// PM2 process list for the staging copy of the alive service.
module.exports = {
  apps: [
    {
      name: 'alive-staging',
      script: '/root/alive/server.js',
      cwd: '/root/alive',
      env: {
        PORT: '8000',
        NODE_ENV: 'staging',
      },
    },
  ],
};
