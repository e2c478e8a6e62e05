// PM2 process list for the staging copy of the alive service. It runs the
// build that "make build" (part of "make staging") copies into build/.
module.exports = {
  apps: [
    {
      name: 'alive-staging',
      script: '/root/alive/build/server.js',
      cwd: '/root/alive/build',
      env: {
        PORT: '8000',
        NODE_ENV: 'staging',
      },
    },
  ],
};
